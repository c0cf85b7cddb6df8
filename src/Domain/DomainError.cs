namespace Ledger.Domain;

/// <summary>
/// A command the domain refuses. <see cref="Code"/> is stable (<c>order.not_paid</c>): clients and the
/// Host's problem details depend on it, so a code is never renamed once released.
/// </summary>
public sealed class DomainError(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

namespace Ledger.Application;

/// <summary>
/// Input that is malformed before the domain sees it (HTTP 400). <see cref="Code"/> is stable;
/// <see cref="Errors"/> maps a field path to what is wrong with it.
/// </summary>
public sealed class ValidationError(string code, string message, IReadOnlyDictionary<string, string[]>? errors = null)
    : Exception(message)
{
    public string Code { get; } = code;
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors ?? new Dictionary<string, string[]>();
}

namespace Ledger.Messaging.Contracts;

/// <summary>
/// A message that can never be applied as it is: not JSON, not its schema, a type this consumer does not take,
/// or a command the domain refuses. A permanent failure: it goes to the dead-letter queue at once instead of
/// being retried; once its cause is fixed it can be replayed from there.
/// </summary>
public sealed class MessageRejectedException : Exception
{
    public MessageRejectedException(string reason, string message, Exception? innerException = null)
        : base(message, innerException) => Reason = reason;

    /// <summary>
    /// Stable reason code: <c>invalid_json</c>, <c>schema_violation</c>, <c>unknown_type</c>, <c>invalid_envelope</c>,
    /// or the code of the refusal that caused it (e.g. a domain error's <c>order.amount_mismatch</c>).
    /// </summary>
    public string Reason { get; }
}

namespace Ledger.Messaging.Consumers;

/// <summary>
/// One inbound consumer: its name (which names its queues and its inbox rows), the message types it takes
/// (bound as routing keys on the exchange, each needing a schema), and the handler that applies them.
/// </summary>
public sealed record ConsumerDefinition(string Name, IReadOnlyList<string> MessageTypes, IMessageHandler Handler)
{
    /// <summary>Failures no retry can fix (besides <see cref="Contracts.MessageRejectedException"/>), dead-lettered at once.</summary>
    public Func<Exception, bool> IsPermanent { get; init; } = _ => false;

    /// <summary>
    /// Called after a delivery's transaction committed with its effects. A handler that appends events inside that
    /// transaction passes the store's signal here, so this process's readers (projections, the relay) and, through
    /// the notifier, the other processes' wake at once instead of at their next poll.
    /// </summary>
    public Action? Committed { get; init; }
}

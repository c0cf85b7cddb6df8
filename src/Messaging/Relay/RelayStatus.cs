using Ledger.EventStore;
using Ledger.Messaging.Broker;

namespace Ledger.Messaging.Relay;

/// <summary>
/// The relay as one process sees it: whether this process is the relay, where it stands, how many stored events
/// are behind it (the outbox backlog, published or internal), the broker's state and the last failure.
/// </summary>
public sealed record RelayStatus(
    bool IsRelay,
    GlobalPosition Position,
    long Backlog,
    DateTimeOffset? LastPublishedAt,
    string? LastError,
    BrokerState Broker);

using Ledger.EventStore;

namespace Ledger.Messaging.Relay;

/// <summary>
/// One page of the store as the relay publishes it: the events read (published or internal, the checkpoint moves past
/// all of them), the messages they translate to, and the append pulse taken before the page was read, so an append
/// committed after the read still wakes a relay that found nothing.
/// </summary>
internal sealed record RelayBatch(IReadOnlyList<RecordedEvent> Events, IReadOnlyList<OutgoingMessage> Messages, Task PulseBeforeRead)
{
    public GlobalPosition End => Events[^1].Position;
}

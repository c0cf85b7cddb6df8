using Ledger.EventStore.MartenStore;
using Ledger.EventStore.Privacy;
using Marten;

namespace Ledger.Application.Orders;

/// <summary>
/// An order command decided on a Marten session its caller owns and saves — an inbound message's, enlisted in the
/// transaction that also marks the message handled — by the same handler Wolverine runs for HTTP commands
/// (<see cref="OrderCommandHandler"/>): the journal's locks first, then the stream fetched for writing, as in the
/// aggregate handler workflow.
/// </summary>
public static class OrderDecisions
{
    /// <remarks>
    /// A caller that decides again after a failed save passes the same <paramref name="message"/>: its second attempt
    /// reads the customer's key from the table (<see cref="DecideOrder.Attempts"/>), as a Wolverine retry does.
    /// </remarks>
    /// <inheritdoc cref="OrderCommandHandler.Handle" path="/exception"/>
    public static async Task<OrderDecision> DecideOnAsync(IDocumentSession session, DecideOrder message, MartenEventStore store,
        SubjectKeys subjectKeys, ICommandJournal journal, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(message);
        await OrderCommandHandler.BeginAsync(message, session, journal, ct);
        var stream = await session.Events.FetchForWriting<OrderStream>(message.StreamId, ct);
        return await OrderCommandHandler.Handle(message, stream, session, store, journal, subjectKeys, ct);
    }

    /// <summary>The order as it stands in the session's tenant, or null when it has no stream there.</summary>
    public static async Task<OrderStream?> LoadAsync(IQuerySession session, Guid orderId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(session);
        return await session.Events.AggregateStreamAsync<OrderStream>(OrderStreams.For(orderId), token: ct);
    }
}

using JasperFx.Events;
using Ledger.Domain.Orders;
using Ledger.EventStore.Privacy;
using Marten.Events.Aggregation;

namespace Ledger.Application.Orders;

/// <summary>
/// An order as Marten folds its stream for a command or a read: the decider's state and the stream's version (the
/// number of its events, as an ETag shows it). Marten needs a document with an id to aggregate into; the state itself
/// stays the domain's <see cref="Order"/>.
/// </summary>
public sealed class OrderStream
{
    public string Id { get; set; } = "";

    public Order State { get; set; } = OrderDecider.Initial;

    public long Version { get; set; }

    /// <summary>The customer's personal data as the created event holds it (sealed, or in clear before encryption), for a reader allowed to open it.</summary>
    public PersonalRecord? Personal { get; set; }
}

/// <summary>
/// Folds an order's stored events with <see cref="OrderDecider.Evolve"/>, live (never stored): what the aggregate
/// handler workflow loads with <c>FetchForWriting</c> and the order resource reads with <c>FetchLatest</c>.
/// </summary>
public sealed class OrderStreamAggregation : SingleStreamProjection<OrderStream, string>
{
    public override OrderStream Evolve(OrderStream? snapshot, string id, IEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        snapshot ??= new OrderStream { Id = id };
        if (OrderEventCodec.FromShape(e.Data) is { } decided) snapshot.State = OrderDecider.Evolve(snapshot.State, decided);
        snapshot.Personal = e.Data switch
        {
            OrderCreatedV2 created => created.Personal?.ToRecord(),
            OrderCreatedV1 created => created.ToRecord(),
            _ => snapshot.Personal,
        };
        snapshot.Version = e.Version;
        return snapshot;
    }
}

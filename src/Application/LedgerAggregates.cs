using JasperFx.Events.Projections;
using Ledger.Application.Orders;
using Marten;

namespace Ledger.Application;

/// <summary>
/// The aggregates Ledger's command handlers load for writing (<c>FetchForWriting</c>, Wolverine's aggregate handler
/// workflow) and its resources read, folded live from their streams and never stored.
/// </summary>
public static class LedgerAggregates
{
    public static void Register(StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Projections.Add(new OrderStreamAggregation(), ProjectionLifecycle.Live);
    }
}

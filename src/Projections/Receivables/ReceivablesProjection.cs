using Ledger.Application.Orders;
using Ledger.Domain.Orders;
using Ledger.EventStore;
using Ledger.Projections.Model;

namespace Ledger.Projections.Receivables;

/// <summary>
/// The receivables read model (<c>receivables_rm</c>, migration 0102): per order, the claim and what settles it.
/// A claim arises with the first payment request and is owed until the order is paid or cancelled; a failed payment
/// leaves it owed. Each event sets its own columns, so statements commute and a replay changes nothing.
/// </summary>
public sealed class ReceivablesProjection : IReadModel
{
    public const string ProjectionName = "receivables";

    private const string Created = """
        INSERT INTO receivables_rm_{g} AS r (tenant_id, order_id, customer_id, currency, amount) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (tenant_id, order_id) DO UPDATE SET
            customer_id = excluded.customer_id, currency = excluded.currency, amount = coalesce(r.amount, excluded.amount)
        """;

    private const string PaymentRequested = """
        INSERT INTO receivables_rm_{g} AS r (tenant_id, order_id, requested_at, amount) VALUES ($1, $2, $3, $4)
        ON CONFLICT (tenant_id, order_id) DO UPDATE SET
            requested_at = least(r.requested_at, excluded.requested_at), amount = excluded.amount
        """;

    private const string Paid = """
        INSERT INTO receivables_rm_{g} AS r (tenant_id, order_id, paid_at) VALUES ($1, $2, $3)
        ON CONFLICT (tenant_id, order_id) DO UPDATE SET paid_at = excluded.paid_at
        """;

    private const string Cancelled = """
        INSERT INTO receivables_rm_{g} AS r (tenant_id, order_id, cancelled_at) VALUES ($1, $2, $3)
        ON CONFLICT (tenant_id, order_id) DO UPDATE SET cancelled_at = excluded.cancelled_at
        """;

    public string Name => ProjectionName;

    public IReadOnlyList<string> Tables { get; } = ["receivables_rm"];

    public IReadOnlyCollection<string> EventTypes { get; } = OrderEventCodec.EventTypes;

    public ProjectionStatement? Apply(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        if (!OrderEventCodec.EventTypes.Contains(recorded.EventType)) return null;
        var t = recorded.TenantId;
        return OrderEventCodec.Decode(recorded) switch
        {
            OrderCreated c => new(Created, t, c.OrderId, c.CustomerId, c.Currency, c.Total),
            OrderPaymentRequested r => new(PaymentRequested, t, r.OrderId, r.RequestedAt, r.Amount),
            OrderPaid p => new(Paid, t, p.OrderId, p.PaidAt),
            OrderCancelled c => new(Cancelled, t, c.OrderId, c.CancelledAt),
            OrderPaymentFailed or OrderFulfilled => null, // still owed after a failure; fulfilment settles nothing
            var other => throw new ArgumentOutOfRangeException(nameof(recorded), $"{other.GetType().Name} has no statement in {ProjectionName}."),
        };
    }
}

using Ledger.Application.Orders;
using Ledger.Domain.Orders;
using Ledger.EventStore;
using Ledger.Projections.Model;

namespace Ledger.Projections.Orders;

/// <summary>
/// The orders read model (<c>orders_rm</c>, migration 0101): per order its status, customer, totals and the time of
/// each step. Each event sets only what it knows, and the status follows the highest stream version applied, so the
/// statements commute and a replay changes nothing.
/// </summary>
public sealed class OrdersProjection : IReadModel
{
    public const string ProjectionName = "orders";

    // $1 tenant, $2 order, $3 status, $4 stream version, $5 time of the event; then what the event adds.
    private const string StatusColumns = """
        status = CASE WHEN excluded.status_version > o.status_version THEN excluded.status ELSE o.status END,
        updated_at = CASE WHEN excluded.status_version > o.status_version THEN excluded.updated_at ELSE o.updated_at END,
        status_version = greatest(o.status_version, excluded.status_version)
        """;

    private const string Created = $$"""
        INSERT INTO orders_rm_{g} AS o (tenant_id, order_id, status, status_version, updated_at, customer_id, currency, total, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $5)
        ON CONFLICT (tenant_id, order_id) DO UPDATE SET
            customer_id = excluded.customer_id, currency = excluded.currency, total = excluded.total,
            created_at = excluded.created_at, {{StatusColumns}}
        """;

    private const string PaymentRequested = $$"""
        INSERT INTO orders_rm_{g} AS o (tenant_id, order_id, status, status_version, updated_at, payment_requested_at)
        VALUES ($1, $2, $3, $4, $5, $5)
        ON CONFLICT (tenant_id, order_id) DO UPDATE SET
            payment_requested_at = greatest(o.payment_requested_at, excluded.payment_requested_at), {{StatusColumns}}
        """;

    private const string PaymentFailed = $$"""
        INSERT INTO orders_rm_{g} AS o (tenant_id, order_id, status, status_version, updated_at, payment_failed_at)
        VALUES ($1, $2, $3, $4, $5, $5)
        ON CONFLICT (tenant_id, order_id) DO UPDATE SET
            payment_failed_at = greatest(o.payment_failed_at, excluded.payment_failed_at), {{StatusColumns}}
        """;

    private const string Paid = $$"""
        INSERT INTO orders_rm_{g} AS o (tenant_id, order_id, status, status_version, updated_at, paid_at, paid_amount)
        VALUES ($1, $2, $3, $4, $5, $5, $6)
        ON CONFLICT (tenant_id, order_id) DO UPDATE SET
            paid_at = excluded.paid_at, paid_amount = excluded.paid_amount, {{StatusColumns}}
        """;

    private const string Fulfilled = $$"""
        INSERT INTO orders_rm_{g} AS o (tenant_id, order_id, status, status_version, updated_at, fulfilled_at)
        VALUES ($1, $2, $3, $4, $5, $5)
        ON CONFLICT (tenant_id, order_id) DO UPDATE SET fulfilled_at = excluded.fulfilled_at, {{StatusColumns}}
        """;

    private const string Cancelled = $$"""
        INSERT INTO orders_rm_{g} AS o (tenant_id, order_id, status, status_version, updated_at, cancelled_at)
        VALUES ($1, $2, $3, $4, $5, $5)
        ON CONFLICT (tenant_id, order_id) DO UPDATE SET cancelled_at = excluded.cancelled_at, {{StatusColumns}}
        """;

    public string Name => ProjectionName;

    public IReadOnlyList<string> Tables { get; } = ["orders_rm"];

    public IReadOnlyCollection<string> EventTypes { get; } = OrderEventCodec.EventTypes;

    public ProjectionStatement? Apply(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        if (!OrderEventCodec.EventTypes.Contains(recorded.EventType)) return null;
        var (t, v) = (recorded.TenantId, recorded.StreamVersion);
        return OrderEventCodec.Decode(recorded) switch
        {
            OrderCreated c => new(Created, t, c.OrderId, "created", v, c.CreatedAt, c.CustomerId, c.Currency, c.Total),
            OrderPaymentRequested r => new(PaymentRequested, t, r.OrderId, "payment_requested", v, r.RequestedAt),
            OrderPaymentFailed f => new(PaymentFailed, t, f.OrderId, "payment_failed", v, f.FailedAt),
            OrderPaid p => new(Paid, t, p.OrderId, "paid", v, p.PaidAt, p.Amount),
            OrderFulfilled f => new(Fulfilled, t, f.OrderId, "fulfilled", v, f.FulfilledAt),
            OrderCancelled c => new(Cancelled, t, c.OrderId, "cancelled", v, c.CancelledAt),
            var other => throw new ArgumentOutOfRangeException(nameof(recorded), $"{other.GetType().Name} has no statement in {ProjectionName}."),
        };
    }
}

using Ledger.Application.Orders;
using Ledger.Domain.Orders;
using Ledger.EventStore;
using Ledger.Projections.Model;

namespace Ledger.Projections.SalesJournal;

/// <summary>
/// The sales journal (<c>sales_journal_days</c>, migration 0103): per UTC day and currency, orders paid and their
/// amount. The currency comes with the created event and the payment with the paid event; each statement records its
/// half in <c>sales_journal_orders</c> and, only when that completes the order (the other half is there and this
/// half is new), adds the order to its day. So each order counts once, whichever half arrives first, and a replay
/// adds nothing.
/// </summary>
public sealed class SalesJournalProjection : IReadModel
{
    public const string ProjectionName = "sales_journal";

    private const string AddToDay = """
        INSERT INTO sales_journal_days_{g} AS d (tenant_id, day, currency, orders_paid, amount)
        SELECT $1, completed.paid_on, completed.currency, 1, completed.amount FROM completed
         WHERE completed.paid_on IS NOT NULL AND completed.currency IS NOT NULL
        ON CONFLICT (tenant_id, day, currency) DO UPDATE SET orders_paid = d.orders_paid + 1, amount = d.amount + excluded.amount
        """;

    // RETURNING yields a row only when the insert or update happened: the WHERE on DO UPDATE keeps a replay silent.
    private const string Created = $$"""
        WITH completed AS (
            INSERT INTO sales_journal_orders_{g} AS o (tenant_id, order_id, currency) VALUES ($1, $2, $3)
            ON CONFLICT (tenant_id, order_id) DO UPDATE SET currency = excluded.currency WHERE o.currency IS NULL
            RETURNING o.currency, o.paid_on, o.amount)
        {{AddToDay}}
        """;

    private const string Paid = $$"""
        WITH completed AS (
            INSERT INTO sales_journal_orders_{g} AS o (tenant_id, order_id, paid_on, amount) VALUES ($1, $2, $3, $4)
            ON CONFLICT (tenant_id, order_id) DO UPDATE SET paid_on = excluded.paid_on, amount = excluded.amount WHERE o.paid_on IS NULL
            RETURNING o.currency, o.paid_on, o.amount)
        {{AddToDay}}
        """;

    public string Name => ProjectionName;

    public IReadOnlyList<string> Tables { get; } = ["sales_journal_orders", "sales_journal_days"];

    public IReadOnlyCollection<string> EventTypes { get; } = [OrderEventCodec.Created, OrderEventCodec.Paid];

    public ProjectionStatement? Apply(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        if (recorded.EventType is not (OrderEventCodec.Created or OrderEventCodec.Paid)) return null;
        var t = recorded.TenantId;
        return OrderEventCodec.Decode(recorded) switch
        {
            OrderCreated c => new(Created, t, c.OrderId, c.Currency),
            OrderPaid p => new(Paid, t, p.OrderId, DayOf(p.PaidAt), p.Amount),
            var other => throw new ArgumentOutOfRangeException(nameof(recorded), $"{other.GetType().Name} has no statement in {ProjectionName}."),
        };
    }

    /// <summary>The journal's day: the UTC date of the payment.</summary>
    public static DateOnly DayOf(DateTimeOffset paidAt) => DateOnly.FromDateTime(paidAt.UtcDateTime);
}

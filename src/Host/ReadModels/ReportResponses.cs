using System.Globalization;
using System.Text.Json.Serialization;
using Ledger.Projections.Orders;
using Ledger.Projections.Receivables;
using Ledger.Projections.SalesJournal;

namespace Ledger.Host.ReadModels;

/// <summary>A page of a report: its rows, the cursor of the next page (null on the last), and the position it reflects.</summary>
public sealed record ReportPageView<T>(IReadOnlyList<T> Items, string? NextCursor, string ProjectionPosition);

/// <summary>The receivables page also says which day the ageing is counted to.</summary>
public sealed record ReceivablesPageView(IReadOnlyList<ReceivableView> Items, string? NextCursor, string ProjectionPosition, DateOnly AsOf);

/// <summary>An order in the orders report. Amounts are decimal strings; personal data is not shown.</summary>
public sealed record OrderReportView(
    Guid OrderId, string Status, string? CustomerId, string? Currency, string? Total, string? PaidAmount,
    DateTimeOffset CreatedAt, DateTimeOffset? PaymentRequestedAt, DateTimeOffset? PaidAt, DateTimeOffset? FulfilledAt,
    DateTimeOffset? CancelledAt, DateTimeOffset? UpdatedAt)
{
    public static readonly string[] Columns =
        ["order_id", "status", "customer_id", "currency", "total", "paid_amount", "created_at", "payment_requested_at", "paid_at", "fulfilled_at", "cancelled_at", "updated_at"];

    public static OrderReportView From(OrderRow r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new(r.OrderId, r.Status, r.CustomerId, r.Currency, Money(r.Total), Money(r.PaidAmount),
            r.CreatedAt, r.PaymentRequestedAt, r.PaidAt, r.FulfilledAt, r.CancelledAt, r.UpdatedAt);
    }

    public object?[] Fields => [OrderId, Status, CustomerId, Currency, Total, PaidAmount, CreatedAt, PaymentRequestedAt, PaidAt, FulfilledAt, CancelledAt, UpdatedAt];

    internal static string? Money(decimal? amount) => amount?.ToString(CultureInfo.InvariantCulture);
}

/// <summary>What one customer owes in one currency, in total and by age of the claim.</summary>
public sealed record ReceivableView(
    string CustomerId, string Currency, int Orders, string Owed,
    [property: JsonPropertyName("days_0_30")] string Days0To30,
    [property: JsonPropertyName("days_31_60")] string Days31To60,
    [property: JsonPropertyName("days_61_90")] string Days61To90,
    [property: JsonPropertyName("days_over_90")] string Over90Days,
    DateTimeOffset OldestRequestedAt)
{
    public static readonly string[] Columns =
        ["customer_id", "currency", "orders", "owed", "days_0_30", "days_31_60", "days_61_90", "days_over_90", "oldest_requested_at"];

    public static ReceivableView From(ReceivableRow r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new(r.CustomerId, r.Currency, r.Orders, Money(r.Owed), Money(r.Days0To30), Money(r.Days31To60), Money(r.Days61To90),
            Money(r.Over90Days), r.OldestRequestedAt);
    }

    public object?[] Fields => [CustomerId, Currency, Orders, Owed, Days0To30, Days31To60, Days61To90, Over90Days, OldestRequestedAt];

    private static string Money(decimal amount) => amount.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One UTC day's sales in one currency.</summary>
public sealed record SalesJournalView(DateOnly Day, string Currency, int OrdersPaid, string Amount)
{
    public static readonly string[] Columns = ["day", "currency", "orders_paid", "amount"];

    public static SalesJournalView From(SalesJournalRow r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new(r.Day, r.Currency, r.OrdersPaid, r.Amount.ToString(CultureInfo.InvariantCulture));
    }

    public object?[] Fields => [Day, Currency, OrdersPaid, Amount];
}

using Ledger.Projections.Reading;
using Npgsql;

namespace Ledger.Projections.Orders;

/// <summary>An order as the orders report lists it. Amounts are exact decimals; times are UTC.</summary>
public sealed record OrderRow(
    Guid OrderId, string Status, string? CustomerId, string? Currency, decimal? Total, decimal? PaidAmount,
    DateTimeOffset CreatedAt, DateTimeOffset? PaymentRequestedAt, DateTimeOffset? PaidAt,
    DateTimeOffset? FulfilledAt, DateTimeOffset? CancelledAt, DateTimeOffset? UpdatedAt);

/// <summary>
/// Which orders to list: by status, customer, and creation time (<c>created_from</c> inclusive, <c>created_to</c>
/// exclusive). Orders are listed by creation time, then id: a stable order for keyset pages.
/// </summary>
public sealed record OrdersFilter(string? Status, string? CustomerId, DateTimeOffset? CreatedFrom, DateTimeOffset? CreatedTo)
{
    public static readonly IReadOnlyList<string> Statuses = ["created", "payment_requested", "payment_failed", "paid", "fulfilled", "cancelled"];

    public static OrdersFilter Parse(Func<string, string?> query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var filter = new OrdersFilter(
            ReportFilters.OneOf("status", query("status"), Statuses),
            ReportFilters.Identifier("customer_id", query("customer_id")),
            ReportFilters.Instant("created_from", query("created_from")),
            ReportFilters.Instant("created_to", query("created_to")));
        ReportFilters.Range("created_from", filter.CreatedFrom, "created_to", filter.CreatedTo);
        return filter;
    }

    internal string Fingerprint => $"{Status}|{CustomerId}|{CreatedFrom?.UtcTicks}|{CreatedTo?.UtcTicks}";
}

public static class OrdersReport
{
    private const string Report = "orders";

    private const string Sql = """
        SELECT order_id, status, customer_id, currency, total, paid_amount, created_at,
               payment_requested_at, paid_at, fulfilled_at, cancelled_at, updated_at
          FROM orders_rm
         WHERE tenant_id = $1 AND created_at IS NOT NULL
           AND ($2::text IS NULL OR status = $2)
           AND ($3::text IS NULL OR customer_id = $3)
           AND ($4::timestamptz IS NULL OR created_at >= $4)
           AND ($5::timestamptz IS NULL OR created_at < $5)
           AND ($6::timestamptz IS NULL OR (created_at, order_id) > ($6, $7::uuid))
         ORDER BY created_at, order_id
         LIMIT $8
        """;

    public static async Task<ReportPage<OrderRow>> QueryAsync(
        ReadModelReader reader, string tenantId, OrdersFilter filter, string? cursor, int limit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(filter);
        DateTimeOffset? afterTime = null;
        Guid? afterId = null;
        if (cursor is not null)
        {
            var key = ReportCursor.Decode(cursor, Report, filter.Fingerprint, 2);
            afterTime = ReportFilters.FromMicros(key[0]);
            afterId = Guid.TryParseExact(key[1], "D", out var id) ? id : throw ReportCursor.Invalid("is malformed");
        }

        var (position, rows) = await reader.ReadAsync(tenantId, OrdersProjection.ProjectionName, Sql,
            [tenantId, filter.Status, filter.CustomerId, filter.CreatedFrom, filter.CreatedTo, afterTime, afterId, limit + 1], Read, ct);
        var next = rows.Count > limit
            ? ReportCursor.Encode(Report, filter.Fingerprint, ReportFilters.Micros(rows[limit - 1].CreatedAt), rows[limit - 1].OrderId.ToString("D"))
            : null;
        return new ReportPage<OrderRow>([.. rows.Take(limit)], next, position);
    }

    private static OrderRow Read(NpgsqlDataReader r) => new(
        r.GetGuid(0), r.GetString(1), Text(r, 2), Text(r, 3), Number(r, 4), Number(r, 5),
        r.GetFieldValue<DateTimeOffset>(6), Time(r, 7), Time(r, 8), Time(r, 9), Time(r, 10), Time(r, 11));

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static decimal? Number(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDecimal(i);

    private static DateTimeOffset? Time(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);
}

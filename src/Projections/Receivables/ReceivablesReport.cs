using System.Globalization;
using Ledger.Projections.Reading;
using Npgsql;

namespace Ledger.Projections.Receivables;

/// <summary>
/// What one customer owes in one currency, as of a day, aged by the number of days from each claim's first payment
/// request to that day: 0–30, 31–60, 61–90 and over 90 days. Currencies are never summed together.
/// </summary>
public sealed record ReceivableRow(
    string CustomerId, string Currency, int Orders, decimal Owed,
    decimal Days0To30, decimal Days31To60, decimal Days61To90, decimal Over90Days, DateTimeOffset OldestRequestedAt);

/// <summary>
/// Whose receivables to list, and as of which day. Without <c>as_of</c>, what is owed now, aged as of today (UTC).
/// With it, what was owed at the end of that UTC day (requested by then, and neither paid nor cancelled by then),
/// aged as of that day — as far as the projection knows, which its position tells.
/// </summary>
public sealed record ReceivablesFilter(string? CustomerId, string? Currency, DateOnly? AsOf)
{
    public static ReceivablesFilter Parse(Func<string, string?> query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return new(ReportFilters.Identifier("customer_id", query("customer_id")),
            ReportFilters.Currency("currency", query("currency")),
            ReportFilters.Date("as_of", query("as_of")));
    }

    internal string Fingerprint => $"{CustomerId}|{Currency}|{AsOf?.ToString("O", CultureInfo.InvariantCulture)}";
}

public static class ReceivablesReport
{
    private const string Report = "receivables";

    // $2 is the day ageing is counted to; with $3 (the end of an as_of day) the claims owed then, else those owed now.
    private const string Sql = """
        SELECT customer_id, currency, count(*)::int, sum(amount),
               coalesce(sum(amount) FILTER (WHERE age <= 30), 0),
               coalesce(sum(amount) FILTER (WHERE age BETWEEN 31 AND 60), 0),
               coalesce(sum(amount) FILTER (WHERE age BETWEEN 61 AND 90), 0),
               coalesce(sum(amount) FILTER (WHERE age > 90), 0),
               min(requested_at)
          FROM (SELECT customer_id, currency, amount, requested_at, $2::date - (requested_at AT TIME ZONE 'UTC')::date AS age
                  FROM receivables_rm
                 WHERE tenant_id = $1 AND requested_at IS NOT NULL AND customer_id IS NOT NULL
                   AND CASE WHEN $3::timestamptz IS NULL THEN paid_at IS NULL AND cancelled_at IS NULL
                            ELSE requested_at < $3 AND (paid_at IS NULL OR paid_at >= $3) AND (cancelled_at IS NULL OR cancelled_at >= $3) END
                   AND ($4::text IS NULL OR customer_id = $4)
                   AND ($5::text IS NULL OR currency = $5)
                   AND ($6::text IS NULL OR (customer_id, currency) > ($6, $7::text))) owed
         GROUP BY customer_id, currency
         ORDER BY customer_id, currency
         LIMIT $8
        """;

    public static async Task<(ReportPage<ReceivableRow> Page, DateOnly AsOf)> QueryAsync(
        ReadModelReader reader, string tenantId, ReceivablesFilter filter, string? cursor, int limit, DateOnly today, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(filter);
        string? afterCustomer = null, afterCurrency = null;
        if (cursor is not null)
        {
            var key = ReportCursor.Decode(cursor, Report, filter.Fingerprint, 2);
            (afterCustomer, afterCurrency) = (key[0], key[1]);
        }

        var asOf = filter.AsOf ?? today;
        DateTimeOffset? endOfDay = filter.AsOf is { } day ? new DateTimeOffset(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null;
        var (position, rows) = await reader.ReadAsync(tenantId, ReceivablesProjection.ProjectionName, Sql,
            [tenantId, asOf, endOfDay, filter.CustomerId, filter.Currency, afterCustomer, afterCurrency, limit + 1], Read, ct);
        var next = rows.Count > limit ? ReportCursor.Encode(Report, filter.Fingerprint, rows[limit - 1].CustomerId, rows[limit - 1].Currency) : null;
        return (new ReportPage<ReceivableRow>([.. rows.Take(limit)], next, position), asOf);
    }

    private static ReceivableRow Read(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetDecimal(3),
        r.GetDecimal(4), r.GetDecimal(5), r.GetDecimal(6), r.GetDecimal(7), r.GetFieldValue<DateTimeOffset>(8));
}

using System.Globalization;
using Ledger.Projections.Reading;
using Npgsql;

namespace Ledger.Projections.SalesJournal;

/// <summary>One day's sales in one currency: the orders paid that UTC day and their total.</summary>
public sealed record SalesJournalRow(DateOnly Day, string Currency, int OrdersPaid, decimal Amount);

/// <summary>Which days (<c>from</c> and <c>to</c> inclusive) and currency to list; listed by day, then currency.</summary>
public sealed record SalesJournalFilter(DateOnly? From, DateOnly? To, string? Currency)
{
    public static SalesJournalFilter Parse(Func<string, string?> query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var filter = new SalesJournalFilter(
            ReportFilters.Date("from", query("from")), ReportFilters.Date("to", query("to")), ReportFilters.Currency("currency", query("currency")));
        ReportFilters.Range("from", filter.From, "to", filter.To);
        return filter;
    }

    internal string Fingerprint => $"{From?.ToString("O", CultureInfo.InvariantCulture)}|{To?.ToString("O", CultureInfo.InvariantCulture)}|{Currency}";
}

public static class SalesJournalReport
{
    private const string Report = "sales_journal";

    private const string Sql = """
        SELECT day, currency, orders_paid, amount
          FROM sales_journal_days
         WHERE tenant_id = $1
           AND ($2::date IS NULL OR day >= $2)
           AND ($3::date IS NULL OR day <= $3)
           AND ($4::text IS NULL OR currency = $4)
           AND ($5::date IS NULL OR (day, currency) > ($5, $6::text))
         ORDER BY day, currency
         LIMIT $7
        """;

    public static async Task<ReportPage<SalesJournalRow>> QueryAsync(
        ReadModelReader reader, string tenantId, SalesJournalFilter filter, string? cursor, int limit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(filter);
        DateOnly? afterDay = null;
        string? afterCurrency = null;
        if (cursor is not null)
        {
            var key = ReportCursor.Decode(cursor, Report, filter.Fingerprint, 2);
            afterDay = DateOnly.TryParseExact(key[0], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
                ? day : throw ReportCursor.Invalid("is malformed");
            afterCurrency = key[1];
        }

        var (position, rows) = await reader.ReadAsync(tenantId, SalesJournalProjection.ProjectionName, Sql,
            [tenantId, filter.From, filter.To, filter.Currency, afterDay, afterCurrency, limit + 1], Read, ct);
        var next = rows.Count > limit
            ? ReportCursor.Encode(Report, filter.Fingerprint, rows[limit - 1].Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), rows[limit - 1].Currency)
            : null;
        return new ReportPage<SalesJournalRow>([.. rows.Take(limit)], next, position);
    }

    private static SalesJournalRow Read(NpgsqlDataReader r) =>
        new(r.GetFieldValue<DateOnly>(0), r.GetString(1), r.GetInt32(2), r.GetDecimal(3));
}

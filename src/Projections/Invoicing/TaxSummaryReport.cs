using System.Globalization;
using Ledger.Projections.Reading;
using Npgsql;

namespace Ledger.Projections.Invoicing;

/// <summary>A tax summary line: per period, functional currency and rate, the base and tax, and how many documents.</summary>
public sealed record TaxSummaryRow(string Period, string FunctionalCurrency, decimal Rate, bool Exempt, decimal Base, decimal Tax, int Documents);

/// <summary>Which periods (months, inclusive) to list; listed by period, currency, rate, exemption.</summary>
public sealed record TaxSummaryFilter(string? FromPeriod, string? ToPeriod)
{
    public static TaxSummaryFilter Parse(Func<string, string?> query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var period = InvoiceRegisterFilter.Period("period", query("period"));
        var filter = new TaxSummaryFilter(period ?? InvoiceRegisterFilter.Period("from", query("from")), period ?? InvoiceRegisterFilter.Period("to", query("to")));
        if (filter.FromPeriod is not null && filter.ToPeriod is not null && string.CompareOrdinal(filter.FromPeriod, filter.ToPeriod) > 0)
            throw ReportFilters.Invalid("from", "must not be after to");
        return filter;
    }

    internal string Fingerprint => $"{FromPeriod}|{ToPeriod}";
}

public static class TaxSummaryReport
{
    private const string Report = "tax_summary";

    private const string Sql = """
        SELECT period, functional_currency, rate, exempt, base, tax, documents
          FROM tax_summary
         WHERE tenant_id = $1
           AND ($2::text IS NULL OR period >= $2)
           AND ($3::text IS NULL OR period <= $3)
           AND ($4::text IS NULL OR (period, functional_currency, rate, exempt) > ($4, $5::text, $6::numeric, $7::boolean))
         ORDER BY period, functional_currency, rate, exempt
         LIMIT $8
        """;

    public static async Task<ReportPage<TaxSummaryRow>> QueryAsync(
        ReadModelReader reader, string tenantId, TaxSummaryFilter filter, string? cursor, int limit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(filter);
        var after = cursor is null ? null : ReportCursor.Decode(cursor, Report, filter.Fingerprint, 4);
        decimal? afterRate = after is null ? null
            : decimal.TryParse(after[2], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var rate) ? rate : throw ReportCursor.Invalid("is malformed");
        bool? afterExempt = after is null ? null : after[3] == "true";

        var (position, rows) = await reader.ReadAsync(tenantId, TaxSummaryProjection.ProjectionName, Sql,
            [tenantId, filter.FromPeriod, filter.ToPeriod, after?[0], after?[1], afterRate, afterExempt, limit + 1], Read, ct);
        var next = rows.Count > limit
            ? ReportCursor.Encode(Report, filter.Fingerprint, rows[limit - 1].Period, rows[limit - 1].FunctionalCurrency,
                rows[limit - 1].Rate.ToString(CultureInfo.InvariantCulture), rows[limit - 1].Exempt ? "true" : "false")
            : null;
        return new ReportPage<TaxSummaryRow>([.. rows.Take(limit)], next, position);
    }

    private static TaxSummaryRow Read(NpgsqlDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetDecimal(2), r.GetBoolean(3), r.GetDecimal(4), r.GetDecimal(5), r.GetInt32(6));
}

using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ledger.Projections.Reading;
using Npgsql;

namespace Ledger.Projections.Invoicing;

/// <summary>One row of the register: an invoice, or a credit note with negative amounts, with its status.</summary>
public sealed record InvoiceRegisterRow(
    Guid DocumentId, string Kind, string Series, string Number, long Sequence, DateOnly IssueDate, string Period, string? CustomerId,
    string? CustomerTaxId, string Currency, string FunctionalCurrency, decimal ExchangeRate, decimal Base, decimal Tax, decimal Total,
    decimal FunctionalBase, decimal FunctionalTax, decimal FunctionalTotal, IReadOnlyList<RegisterRateRow> TaxBreakdown, string Status,
    Guid? CorrectedInvoiceId);

/// <summary>Base and tax of one rate of a register row, in both currencies.</summary>
public sealed record RegisterRateRow(decimal Rate, bool Exempt, decimal Base, decimal Tax, decimal FunctionalBase, decimal FunctionalTax);

/// <summary>Which rows: a period (<c>2026-03</c>) or a range of periods, and a series. Listed by period, series, kind, number.</summary>
public sealed partial record InvoiceRegisterFilter(string? FromPeriod, string? ToPeriod, string? Series)
{
    public static InvoiceRegisterFilter Parse(Func<string, string?> query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var period = Period("period", query("period"));
        var filter = new InvoiceRegisterFilter(period ?? Period("from", query("from")), period ?? Period("to", query("to")),
            query("series") is { } s && !SeriesPattern().IsMatch(s) ? throw ReportFilters.Invalid("series", "must be a series code such as A-2026") : query("series"));
        if (filter.FromPeriod is not null && filter.ToPeriod is not null && string.CompareOrdinal(filter.FromPeriod, filter.ToPeriod) > 0)
            throw ReportFilters.Invalid("from", "must not be after to");
        return filter;
    }

    /// <summary>A month, <c>yyyy-MM</c>.</summary>
    public static string? Period(string name, string? value) =>
        value is null ? null : PeriodPattern().IsMatch(value) ? value : throw ReportFilters.Invalid(name, "must be a month such as 2026-03");

    internal string Fingerprint => $"{FromPeriod}|{ToPeriod}|{Series}";

    [GeneratedRegex("^[0-9]{4}-(0[1-9]|1[0-2])$")]
    private static partial Regex PeriodPattern();

    [GeneratedRegex("^[A-Z0-9][A-Z0-9-]{0,19}$")]
    private static partial Regex SeriesPattern();
}

public static class InvoiceRegisterReport
{
    private const string Report = "invoice_register";

    private const string Sql = """
        SELECT document_id, kind, series, number, sequence, issue_date, period, customer_id, customer_tax_id, currency, functional_currency,
               exchange_rate, base, tax, total, functional_base, functional_tax, functional_total, tax_breakdown::text,
               CASE WHEN fully_credited THEN 'credited' ELSE coalesce(stamp_status, 'issued') END, corrected_invoice_id
          FROM invoice_register
         WHERE tenant_id = $1 AND kind IS NOT NULL
           AND ($2::text IS NULL OR period >= $2)
           AND ($3::text IS NULL OR period <= $3)
           AND ($4::text IS NULL OR series = $4)
           AND ($5::text IS NULL OR (period, series, kind, sequence) > ($5, $6::text, $7::text, $8::bigint))
         ORDER BY period, series, kind, sequence
         LIMIT $9
        """;

    public static async Task<ReportPage<InvoiceRegisterRow>> QueryAsync(
        ReadModelReader reader, string tenantId, InvoiceRegisterFilter filter, string? cursor, int limit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(filter);
        string[]? after = cursor is null ? null : ReportCursor.Decode(cursor, Report, filter.Fingerprint, 4);
        long? afterSequence = after is null ? null
            : long.TryParse(after[3], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw ReportCursor.Invalid("is malformed");

        var (position, rows) = await reader.ReadAsync(tenantId, InvoiceRegisterProjection.ProjectionName, Sql,
            [tenantId, filter.FromPeriod, filter.ToPeriod, filter.Series, after?[0], after?[1], after?[2], afterSequence, limit + 1], Read, ct);
        var next = rows.Count > limit
            ? ReportCursor.Encode(Report, filter.Fingerprint, rows[limit - 1].Period, rows[limit - 1].Series, rows[limit - 1].Kind,
                rows[limit - 1].Sequence.ToString(CultureInfo.InvariantCulture))
            : null;
        return new ReportPage<InvoiceRegisterRow>([.. rows.Take(limit)], next, position);
    }

    private static readonly JsonSerializerOptions Breakdown = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowReadingFromString,
    };

    private static InvoiceRegisterRow Read(NpgsqlDataReader r) => new(
        r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetFieldValue<DateOnly>(5), r.GetString(6),
        r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8), r.GetString(9), r.GetString(10), r.GetDecimal(11),
        r.GetDecimal(12), r.GetDecimal(13), r.GetDecimal(14), r.GetDecimal(15), r.GetDecimal(16), r.GetDecimal(17),
        JsonSerializer.Deserialize<List<RegisterRateRow>>(r.GetString(18), Breakdown) ?? [], r.GetString(19), r.IsDBNull(20) ? null : r.GetGuid(20));
}

using Ledger.Host.Auth;
using Ledger.Projections.Invoicing;
using Ledger.Projections.Reading;

namespace Ledger.Host.ReadModels;

/// <summary>
/// The accountants' fiscal reports: the register of issued invoices (libro registro de facturas emitidas) and the tax
/// summary per period and rate that a tax return needs. Same rules as <see cref="ReportEndpoints"/>: mapped on its
/// group (accountant role, the token's tenant, row-level security), keyset pages, CSV, freshness and read-your-writes.
/// </summary>
internal static class InvoiceReportEndpoints
{
    private static readonly string[] RegisterFilters = ["period", "from", "to", "series"];
    private static readonly string[] SummaryFilters = ["period", "from", "to"];

    public static RouteGroupBuilder MapInvoiceReports(this RouteGroupBuilder reports)
    {
        reports.MapGet("/invoice-register", InvoiceRegister).WithName("getInvoiceRegister").DescribeReport<ReportPageView<InvoiceRegisterView>>(
            "Invoice register",
            "The register of issued invoices and credit notes (credit notes with negative amounts): number, dates, customer and tax id, "
                + "base and tax per rate, total, currency and status, by period, series, kind and number.",
            ("period", "One month (yyyy-MM); instead of from and to."),
            ("from", "First month (yyyy-MM), inclusive."),
            ("to", "Last month (yyyy-MM), inclusive."),
            ("series", "One numbering series, such as A-2026."));
        reports.MapGet("/tax-summary", TaxSummary).WithName("getTaxSummary").DescribeReport<ReportPageView<TaxSummaryView>>(
            "Tax summary",
            "Per month and rate, the base and tax of the invoices issued net of credit notes, in the functional currency.",
            ("period", "One month (yyyy-MM); instead of from and to."),
            ("from", "First month (yyyy-MM), inclusive."),
            ("to", "Last month (yyyy-MM), inclusive."));
        return reports;
    }

    internal static Task<IResult> InvoiceRegister(HttpContext http, ReadModelReader reader, ReportAnswer answer, CancellationToken ct)
    {
        var request = ReportRequest.From(http.Request, RegisterFilters);
        var filter = ReportRequest.Guard(() => InvoiceRegisterFilter.Parse(request.Query));
        return answer.AnswerAsync(http, InvoiceRegisterProjection.ProjectionName, request, async token =>
        {
            var page = await ReportEndpoints.Query(() => InvoiceRegisterReport.QueryAsync(reader, http.User.TenantId(), filter, request.Cursor, request.Limit, token));
            var items = page.Items.Select(InvoiceRegisterView.From).ToList();
            var csv = new ReportCsv(InvoiceRegisterView.Columns);
            foreach (var line in page.Items.SelectMany(InvoiceRegisterView.Lines)) csv.Row(line);
            return new ReportResult(page.Position, page.NextCursor, new ReportPageView<InvoiceRegisterView>(items, page.NextCursor, page.Position.ToString()), csv);
        }, ct);
    }

    internal static Task<IResult> TaxSummary(HttpContext http, ReadModelReader reader, ReportAnswer answer, CancellationToken ct)
    {
        var request = ReportRequest.From(http.Request, SummaryFilters);
        var filter = ReportRequest.Guard(() => TaxSummaryFilter.Parse(request.Query));
        return answer.AnswerAsync(http, TaxSummaryProjection.ProjectionName, request, async token =>
        {
            var page = await ReportEndpoints.Query(() => TaxSummaryReport.QueryAsync(reader, http.User.TenantId(), filter, request.Cursor, request.Limit, token));
            var items = page.Items.Select(TaxSummaryView.From).ToList();
            var csv = new ReportCsv(TaxSummaryView.Columns);
            foreach (var row in page.Items) csv.Row(TaxSummaryView.Fields(row));
            return new ReportResult(page.Position, page.NextCursor, new ReportPageView<TaxSummaryView>(items, page.NextCursor, page.Position.ToString()), csv);
        }, ct);
    }
}

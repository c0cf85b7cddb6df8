using Ledger.Host.Auth;
using Ledger.Projections.Orders;
using Ledger.Projections.Reading;
using Ledger.Projections.Receivables;
using Ledger.Projections.SalesJournal;

namespace Ledger.Host.ReadModels;

/// <summary>
/// The accountants' reports, read from the read models, never from the event store. The tenant is the token's; the
/// database enforces it too (row-level security). Keyset pages in a stable order, <c>Accept: text/csv</c> for the same
/// page as CSV, and every answer says the projection position it reflects.
/// </summary>
/// <remarks>
/// Minimal APIs, not Wolverine endpoints (the rest of the API is on WolverineFx.Http): a report answers JSON or CSV by
/// the request's <c>Accept</c> (<see cref="ReportAnswer"/>, an <see cref="IResult"/> chosen per request), and the
/// document describes both media types and every filter the endpoint reads itself (<c>DescribeReport</c>, a route
/// convention). Wolverine describes a returned result as one JSON resource and negotiates no CSV, so on Wolverine the
/// document would lose the CSV answer and the filters; here it keeps them (issue 14, item 2).
/// </remarks>
public static class ReportEndpoints
{
    private static readonly string[] OrderFilters = ["status", "customer_id", "created_from", "created_to"];
    private static readonly string[] ReceivableFilters = ["customer_id", "currency", "as_of"];
    private static readonly string[] JournalFilters = ["from", "to", "currency"];

    public static IEndpointRouteBuilder MapReadModels(this IEndpointRouteBuilder app)
    {
        var reports = app.MapGroup("/api/reports").WithTags("Reports").RequireAuthorization(LedgerPolicies.ReadReports);
        reports.MapGet("/orders", Orders).WithName("getOrdersReport").DescribeReport<ReportPageView<OrderReportView>>(
            "Orders report",
            "Orders with their status, customer, totals and the time of each step, by creation time.",
            ("status", "created, payment_requested, payment_failed, paid, fulfilled or cancelled."),
            ("customer_id", "One customer's orders."),
            ("created_from", "Created at or after this instant (ISO 8601 with offset)."),
            ("created_to", "Created before this instant (ISO 8601 with offset)."));
        reports.MapGet("/receivables", Receivables).WithName("getReceivablesReport").DescribeReport<ReceivablesPageView>(
            "Aged receivables",
            "What each customer owes per currency (payment requested, neither paid nor cancelled), aged 0–30, 31–60, 61–90, over 90 days.",
            ("customer_id", "One customer."),
            ("currency", "One currency (ISO 4217)."),
            ("as_of", "A UTC date: what was owed at the end of that day, aged as of it. Default: now, aged as of today."));
        reports.MapGet("/sales-journal", SalesJournal).WithName("getSalesJournal").DescribeReport<ReportPageView<SalesJournalView>>(
            "Sales journal",
            "Per UTC day and currency, the orders paid and their amount.",
            ("from", "First day (yyyy-MM-dd), inclusive."),
            ("to", "Last day (yyyy-MM-dd), inclusive."),
            ("currency", "One currency (ISO 4217)."));
        reports.MapInvoiceReports();
        return app;
    }

    internal static Task<IResult> Orders(HttpContext http, ReadModelReader reader, ReportAnswer answer, CancellationToken ct)
    {
        var request = ReportRequest.From(http.Request, OrderFilters);
        var filter = ReportRequest.Guard(() => OrdersFilter.Parse(request.Query));
        return answer.AnswerAsync(http, OrdersProjection.ProjectionName, request, async token =>
        {
            var page = await Query(() => OrdersReport.QueryAsync(reader, http.User.TenantId(), filter, request.Cursor, request.Limit, token));
            var items = page.Items.Select(OrderReportView.From).ToList();
            var csv = new ReportCsv(OrderReportView.Columns);
            foreach (var item in items) csv.Row(item.Fields);
            return new ReportResult(page.Position, page.NextCursor, new ReportPageView<OrderReportView>(items, page.NextCursor, page.Position.ToString()), csv);
        }, ct);
    }

    internal static Task<IResult> Receivables(HttpContext http, ReadModelReader reader, ReportAnswer answer, TimeProvider clock, CancellationToken ct)
    {
        var request = ReportRequest.From(http.Request, ReceivableFilters);
        var filter = ReportRequest.Guard(() => ReceivablesFilter.Parse(request.Query));
        return answer.AnswerAsync(http, ReceivablesProjection.ProjectionName, request, async token =>
        {
            var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
            var (page, asOf) = await Query(() => ReceivablesReport.QueryAsync(reader, http.User.TenantId(), filter, request.Cursor, request.Limit, today, token));
            var items = page.Items.Select(ReceivableView.From).ToList();
            var csv = new ReportCsv(ReceivableView.Columns);
            foreach (var item in items) csv.Row(item.Fields);
            return new ReportResult(page.Position, page.NextCursor, new ReceivablesPageView(items, page.NextCursor, page.Position.ToString(), asOf), csv);
        }, ct);
    }

    internal static Task<IResult> SalesJournal(HttpContext http, ReadModelReader reader, ReportAnswer answer, CancellationToken ct)
    {
        var request = ReportRequest.From(http.Request, JournalFilters);
        var filter = ReportRequest.Guard(() => SalesJournalFilter.Parse(request.Query));
        return answer.AnswerAsync(http, SalesJournalProjection.ProjectionName, request, async token =>
        {
            var page = await Query(() => SalesJournalReport.QueryAsync(reader, http.User.TenantId(), filter, request.Cursor, request.Limit, token));
            var items = page.Items.Select(SalesJournalView.From).ToList();
            var csv = new ReportCsv(SalesJournalView.Columns);
            foreach (var item in items) csv.Row(item.Fields);
            return new ReportResult(page.Position, page.NextCursor, new ReportPageView<SalesJournalView>(items, page.NextCursor, page.Position.ToString()), csv);
        }, ct);
    }

    // A cursor is checked when the query runs: its refusal is a 400 like a bad filter's.
    internal static async Task<T> Query<T>(Func<Task<T>> query)
    {
        try
        {
            return await query();
        }
        catch (InvalidReportQueryException e)
        {
            throw ReportRequest.Rejected(e.Code, e.Message);
        }
    }
}

using System.Globalization;
using System.Net;
using System.Text.Json;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests.ReadModels;

/// <summary>The invoice register and the tax summary through the Host: amounts, statuses, the summary as the register's sum, CSV, roles, tenants.</summary>
public sealed class InvoiceReportApiTests(ReportsAppFixture app) : IClassFixture<ReportsAppFixture>
{
    private const string Freshness = "X-Ledger-Projection-Position";

    // 27.00 at the general rate (5.67 tax) and 9.90 at the reduced rate (0.99 tax): 43.56.
    private const string TwoRates = """
        {"series":"A-2026","customer":{"customer_id":"cust-1","tax_id":{"country":"ES","value":"B12345674"},"name":"Ada Lovelace"},
         "currency":"EUR",
         "lines":[{"description":"Ledger paper","quantity":"3","unit_price":"10.00","discount_percent":"10","tax_category":"es.vat.general"},
                  {"description":"Book","quantity":"2","unit_price":"4.95","tax_category":"es.vat.reduced"}]}
        """;

    // 100.00 at the general rate, 21.00 tax.
    private const string OneRate = """
        {"series":"A-2026","customer":{"customer_id":"cust-2","tax_id":{"country":"ES","value":"B12345674"}},
         "currency":"EUR","lines":[{"description":"Audit","quantity":"1","unit_price":"100.00","tax_category":"es.vat.general"}]}
        """;

    [Fact]
    public async Task The_register_lists_invoices_and_credit_notes_and_the_tax_summary_is_its_sum()
    {
        var tenant = TestDatabase.NewTenant();
        var (first, second, position) = await IssueAsync(tenant);
        var accountant = app.Reader(tenant, LedgerRoles.Accountant);

        // The stamps come in the background; the credit notes' positions are already there (read-your-writes).
        var rows = await Eventually.Until(async () => (await Page(accountant, "/api/reports/invoice-register", position)).GetProperty("items").EnumerateArray().ToList(),
            r => r.Count == 4 && r[0].GetProperty("status").GetString() == "stamped", TimeSpan.FromSeconds(20), "the register with the first invoice stamped");

        rows.Select(r => (r.GetProperty("kind").GetString(), r.GetProperty("number").GetString())).ShouldBe(
            [("invoice", "A-2026/000001"), ("invoice", "A-2026/000002"), ("credit_note", "R/000001"), ("credit_note", "R/000002")]);
        rows.Select(r => r.GetProperty("document_id").GetGuid()).Take(2).ShouldBe([first, second]);
        rows.Select(r => r.GetProperty("total").GetString()).ShouldBe(["43.56", "121.00", "-10.89", "-121.00"]);
        rows[1].GetProperty("status").GetString().ShouldBe("credited");
        rows[2].GetProperty("corrected_invoice_id").GetGuid().ShouldBe(first);
        rows[3].GetProperty("corrected_invoice_id").GetGuid().ShouldBe(second);
        var invoice = rows[0];
        (invoice.GetProperty("customer_id").GetString(), invoice.GetProperty("customer_tax_id").GetString(), invoice.GetProperty("currency").GetString())
            .ShouldBe(("cust-1", "B12345674", "EUR"));
        (invoice.GetProperty("base").GetString(), invoice.GetProperty("tax").GetString()).ShouldBe(("36.90", "6.66"));
        invoice.GetProperty("tax_breakdown").EnumerateArray().Select(b => (Amount(b, "base"), Amount(b, "tax"))).ShouldBe([(27.00m, 5.67m), (9.90m, 0.99m)], ignoreOrder: true);
        invoice.ToString().ShouldNotContain("Lovelace"); // no personal data in reports (a name, not "Ada": ids are hex)

        // For the period, every (rate, exemption) line of the summary is the sum of the register's rows.
        var period = invoice.GetProperty("period").GetString()!;
        var expected = rows.Where(r => r.GetProperty("period").GetString() == period)
            .SelectMany(r => r.GetProperty("tax_breakdown").EnumerateArray())
            .GroupBy(b => (Amount(b, "rate"), b.GetProperty("exempt").GetBoolean()))
            .Select(g => (g.Key.Item1, g.Key.Item2, g.Sum(b => Amount(b, "functional_base")), g.Sum(b => Amount(b, "functional_tax"))))
            .ToList();
        var summary = await Page(accountant, $"/api/reports/tax-summary?from={period}&to={period}", position);
        var lines = summary.GetProperty("items").EnumerateArray()
            .Select(l => (Amount(l, "rate"), l.GetProperty("exempt").GetBoolean(), Amount(l, "base"), Amount(l, "tax"))).ToList();
        lines.ShouldBe(expected, ignoreOrder: true);
        lines.Select(l => (l.Item3, l.Item4)).ShouldBe([(18.00m, 3.78m), (9.90m, 0.99m)], ignoreOrder: true);
    }

    [Fact]
    public async Task Accept_text_csv_returns_the_same_rows_and_pages_follow_their_cursor()
    {
        var tenant = TestDatabase.NewTenant();
        var (_, _, position) = await IssueAsync(tenant);
        var accountant = app.Reader(tenant, LedgerRoles.Accountant);

        var numbers = new List<string>();
        string? cursor = null;
        do
        {
            var page = await Page(accountant, "/api/reports/invoice-register?series=A-2026&limit=1" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)), position);
            numbers.AddRange(page.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("number").GetString()!));
            cursor = page.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);
        numbers.ShouldBe(["A-2026/000001", "A-2026/000002"]);

        using var register = await accountant.GetAsync("/api/reports/invoice-register", position, "text/csv");
        register.StatusCode.ShouldBe(HttpStatusCode.OK);
        register.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        register.Headers.GetValues(Freshness).Single().ShouldNotBeNullOrEmpty();
        var csv = (await register.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        csv[0].ShouldStartWith("document_id,kind,series,number,issue_date,period,customer_id,customer_tax_id,currency,status");
        csv.Length.ShouldBe(1 + 5); // a line per document and rate: 2 + 1 + 1 + 1
        csv.Count(l => l.Contains(",A-2026/000001,", StringComparison.Ordinal)).ShouldBe(2);
        csv.ShouldContain(l => l.Contains(",R/000002,", StringComparison.Ordinal) && l.Contains(",-100.00,-21.00,", StringComparison.Ordinal));

        using var summary = await accountant.GetAsync("/api/reports/tax-summary", position, "text/csv");
        summary.StatusCode.ShouldBe(HttpStatusCode.OK);
        var summaryCsv = (await summary.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        summaryCsv[0].ShouldBe("period,functional_currency,rate,exempt,base,tax,documents");
        summaryCsv.Length.ShouldBe(3);
        summaryCsv.ShouldContain(l => l.EndsWith(",false,18.00,3.78,4", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Invoice_reports_are_for_accountants_of_the_tokens_tenant_only()
    {
        var tenant = TestDatabase.NewTenant();
        var (_, _, position) = await IssueAsync(tenant);

        foreach (var path in new[] { "/api/reports/invoice-register", "/api/reports/tax-summary" })
        {
            using (var asClerk = await app.Reader(tenant, LedgerRoles.Clerk).GetAsync(path))
                await asClerk.ShouldBeProblem(HttpStatusCode.Forbidden, "auth.forbidden");
            using (var anonymous = await app.Reader(tenant).GetAsync(path))
                anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            (await Page(app.Reader(tenant, LedgerRoles.Accountant), path, position)).GetProperty("items").GetArrayLength().ShouldBeGreaterThan(0);
            (await Page(app.Reader(TestDatabase.NewTenant(), LedgerRoles.Accountant), path, position)).GetProperty("items").GetArrayLength().ShouldBe(0);
        }
    }

    [Theory]
    [InlineData("/api/reports/invoice-register?from=2026-13", "read_model.invalid_filter")]
    [InlineData("/api/reports/invoice-register?from=2026-04&to=2026-03", "read_model.invalid_filter")]
    [InlineData("/api/reports/invoice-register?series=a%20b", "read_model.invalid_filter")]
    [InlineData("/api/reports/invoice-register?currency=EUR", "read_model.invalid_filter")]
    [InlineData("/api/reports/invoice-register?limit=501", "read_model.invalid_limit")]
    [InlineData("/api/reports/tax-summary?cursor=bm9wZQ", "read_model.invalid_cursor")]
    [InlineData("/api/reports/tax-summary?series=A-2026", "read_model.invalid_filter")]
    public async Task A_malformed_invoice_report_query_is_a_400_with_a_stable_code(string path, string code)
    {
        using var response = await app.Reader(TestDatabase.NewTenant(), LedgerRoles.Accountant).GetAsync(path);
        await response.ShouldBeProblem(HttpStatusCode.BadRequest, code);
    }

    /// <summary>Two invoices (the first with two rates), a partial credit of the first and a full credit of the second.</summary>
    private async Task<(Guid First, Guid Second, string Position)> IssueAsync(string tenant)
    {
        var clerk = app.As(tenant, LedgerRoles.Clerk);
        var first = await Written(await clerk.PostAsync("/api/invoices", TwoRates));
        var second = await Written(await clerk.PostAsync("/api/invoices", OneRate));
        await Written(await clerk.PostAsync($"/api/invoices/{first.Id}/credit-notes", """{"reason":"one returned","lines":[{"line":1,"quantity":"1"}]}"""));
        var last = await Written(await clerk.PostAsync($"/api/invoices/{second.Id}/credit-notes", """{"reason":"issued in error"}"""));
        return (first.Id, second.Id, last.Position);
    }

    private static async Task<(Guid Id, string Position)> Written(HttpResponseMessage response)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            response.StatusCode.ShouldBe(HttpStatusCode.Created, text);
            return (JsonSerializer.Deserialize<JsonElement>(text).GetProperty("id").GetGuid(), response.Headers.GetValues("X-Ledger-Position").Single());
        }
    }

    /// <summary>A page read at least at <paramref name="position"/>; asked again while the read model is still catching up (503).</summary>
    private async Task<JsonElement> Page(ReportClient reader, string path, string position)
    {
        var (status, text) = await app.Db.ExplainingProjectionsAsync(() => Eventually.Until(async () =>
        {
            using var response = await reader.GetAsync(path, position);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }, r => r.StatusCode != HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(20), $"{path} at {position}"));
        status.ShouldBe(HttpStatusCode.OK, text);
        return JsonSerializer.Deserialize<JsonElement>(text);
    }

    private static decimal Amount(JsonElement element, string name) => decimal.Parse(element.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);
}

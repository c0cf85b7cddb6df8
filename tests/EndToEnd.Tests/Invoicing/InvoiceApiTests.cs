using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ledger.Application.Invoicing.Settings;
using Ledger.Application.Invoicing.Stamping;
using Ledger.Application.Invoicing.VeriFactu;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.EndToEnd.Tests.Invoicing;

/// <summary>Invoices through the Host: issue, read, credit, stamping in the background, VERI*FACTU records.</summary>
public sealed class InvoiceApiTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>
{
    private const string IssueBody = """
        {"series":"A-2026","customer":{"customer_id":"cust-1","tax_id":{"country":"ES","value":"B12345674"},"name":"Ada Lovelace"},
         "currency":"EUR",
         "lines":[{"description":"Ledger paper","quantity":"3","unit_price":"10.00","discount_percent":"10","tax_category":"es.vat.general"},
                  {"description":"Book","quantity":"2","unit_price":"4.95","tax_category":"es.vat.reduced"}]}
        """;

    private OrderApi As(string tenant, params string[] roles) => new(app.Client(), app.Tokens.For(tenant, roles), tenant, app.Db.Store);

    private static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, text);
        return JsonSerializer.Deserialize<JsonElement>(text);
    }

    [Fact]
    public async Task A_clerk_issues_an_invoice_that_is_numbered_taxed_and_stamped_in_the_background()
    {
        var clerk = As(TestDatabase.NewTenant(), LedgerRoles.Clerk);
        using var issued = await clerk.PostAsync("/api/invoices", IssueBody);
        var written = await Json(issued, HttpStatusCode.Created);
        written.GetProperty("number").GetString().ShouldBe("A-2026/000001");
        var id = written.GetProperty("id").GetGuid();
        issued.Headers.Location!.ToString().ShouldBe($"/api/invoices/{id:D}");

        var view = await Eventually.Until(async () =>
        {
            using var got = await clerk.GetAsync($"/api/invoices/{id}");
            return await Json(got, HttpStatusCode.OK);
        }, v => v.GetProperty("stamp_status").GetString() == "stamped", TimeSpan.FromSeconds(15), "the background stamp");

        view.GetProperty("status").GetString().ShouldBe("stamped");
        view.GetProperty("totals").GetProperty("total").GetString().ShouldBe("43.56");
        view.GetProperty("tax_breakdown")[0].GetProperty("tax").GetString().ShouldBe("5.67");
        view.GetProperty("customer_tax_id").GetProperty("scheme").GetString().ShouldBe("es.cif");
        view.GetProperty("tax_rule_version").GetInt32().ShouldBe(1);
        view.TryGetProperty("name", out _).ShouldBeFalse();
        view.GetProperty("stamp").GetProperty("authority_id").GetString().ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task An_invalid_tax_id_is_a_400_with_its_code_and_takes_no_number()
    {
        var clerk = As(TestDatabase.NewTenant(), LedgerRoles.Clerk);
        using var refused = await clerk.PostAsync("/api/invoices", IssueBody.Replace("B12345674", "B12345675", StringComparison.Ordinal));
        var problem = await refused.ShouldBeProblem(HttpStatusCode.BadRequest, "tax_id.invalid_cif");
        problem.GetProperty("errors").TryGetProperty("customer.tax_id", out _).ShouldBeTrue();

        using var next = await clerk.PostAsync("/api/invoices", IssueBody);
        (await Json(next, HttpStatusCode.Created)).GetProperty("sequence").GetInt64().ShouldBe(1);
    }

    [Fact]
    public async Task Money_as_a_json_number_and_an_unknown_category_are_refused()
    {
        var clerk = As(TestDatabase.NewTenant(), LedgerRoles.Clerk);
        using var number = await clerk.PostAsync("/api/invoices", IssueBody.Replace("\"10.00\"", "10.00", StringComparison.Ordinal));
        await number.ShouldBeProblem(HttpStatusCode.BadRequest, "validation.amount_not_string");
        using var category = await clerk.PostAsync("/api/invoices", IssueBody.Replace("es.vat.reduced", "de.ust.reduced", StringComparison.Ordinal));
        await category.ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "invoice.unknown_tax_category");
    }

    [Fact]
    public async Task Only_a_clerk_issues_and_another_tenant_sees_nothing()
    {
        var tenant = TestDatabase.NewTenant();
        using var byAccountant = await As(tenant, LedgerRoles.Accountant).PostAsync("/api/invoices", IssueBody);
        await byAccountant.ShouldBeProblem(HttpStatusCode.Forbidden, "auth.forbidden");

        using var issued = await As(tenant, LedgerRoles.Clerk).PostAsync("/api/invoices", IssueBody);
        var id = (await Json(issued, HttpStatusCode.Created)).GetProperty("id").GetGuid();
        using var fromAccountant = await As(tenant, LedgerRoles.Accountant).GetAsync($"/api/invoices/{id}");
        fromAccountant.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var elsewhere = await As(TestDatabase.NewTenant(), LedgerRoles.Clerk).GetAsync($"/api/invoices/{id}");
        await elsewhere.ShouldBeProblem(HttpStatusCode.NotFound, "invoice.not_found");
    }

    [Fact]
    public async Task A_credit_note_credits_part_of_an_invoice_and_never_more_than_it()
    {
        var clerk = As(TestDatabase.NewTenant(), LedgerRoles.Clerk);
        using var issued = await clerk.PostAsync("/api/invoices", IssueBody);
        var id = (await Json(issued, HttpStatusCode.Created)).GetProperty("id").GetGuid();

        using var partial = await clerk.PostAsync($"/api/invoices/{id}/credit-notes", """{"reason":"one returned","lines":[{"line":1,"quantity":"1"}]}""");
        (await Json(partial, HttpStatusCode.Created)).GetProperty("number").GetString().ShouldBe("R/000001");
        using var tooMuch = await clerk.PostAsync($"/api/invoices/{id}/credit-notes", """{"reason":"too many","lines":[{"line":1,"quantity":"3"}]}""");
        await tooMuch.ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "credit_note.quantity_exceeds_invoiced");
        using var rest = await clerk.PostAsync($"/api/invoices/{id}/credit-notes", """{"reason":"cancel the rest"}""");
        (await Json(rest, HttpStatusCode.Created)).GetProperty("number").GetString().ShouldBe("R/000002");

        using var got = await clerk.GetAsync($"/api/invoices/{id}");
        var view = await Json(got, HttpStatusCode.OK);
        view.GetProperty("status").GetString().ShouldBe("credited");
        view.GetProperty("credited").GetProperty("total").GetString().ShouldBe(view.GetProperty("totals").GetProperty("total").GetString());
        view.GetProperty("credit_notes").GetArrayLength().ShouldBe(2);
    }

    [Fact]
    public async Task A_Spanish_issuer_lists_its_VERI_FACTU_records_in_chain_order()
    {
        var tenant = TestDatabase.NewTenant();
        await app.Host.Services.GetRequiredService<IssuerProfiles>().SaveAsync(tenant,
            new IssuerProfileInput("Demo SL", "ES", "89890001K", "EUR", "Europe/Madrid", "FV", "RV", "es.vat.general", VeriFactu: true));
        var clerk = As(tenant, LedgerRoles.Clerk);
        using var first = await clerk.PostAsync("/api/invoices", IssueBody.Replace("\"series\":\"A-2026\",", "", StringComparison.Ordinal));
        var id = (await Json(first, HttpStatusCode.Created)).GetProperty("id").GetGuid();
        using var second = await clerk.PostAsync("/api/invoices", IssueBody.Replace("\"series\":\"A-2026\",", "", StringComparison.Ordinal));
        await Json(second, HttpStatusCode.Created);
        using var cancel = await clerk.PostAsync($"/api/invoices/{id}/credit-notes", """{"reason":"issued in error"}""");
        await Json(cancel, HttpStatusCode.Created);

        using var forbidden = await clerk.GetAsync("/api/verifactu/records");
        forbidden.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        using var listed = await As(tenant, LedgerRoles.Accountant).GetAsync("/api/verifactu/records?limit=2");
        var page = await Json(listed, HttpStatusCode.OK);
        page.GetProperty("next_after").GetInt64().ShouldBe(2);
        // A value that is not a number is refused, not read as "no filter" (Wolverine binds it as absent).
        foreach (var query in new[] { "after=two", "limit=1e3", "limit=99999999999" })
        {
            using var unreadable = await As(tenant, LedgerRoles.Auditor).GetAsync($"/api/verifactu/records?{query}");
            await unreadable.ShouldBeProblem(HttpStatusCode.BadRequest, "request.malformed");
        }
        using var rest = await As(tenant, LedgerRoles.Auditor).GetAsync("/api/verifactu/records?after=2");
        var records = page.GetProperty("records").EnumerateArray().Concat((await Json(rest, HttpStatusCode.OK)).GetProperty("records").EnumerateArray()).ToList();

        records.Select(r => r.GetProperty("kind").GetString()).ShouldBe(["registration", "registration", "cancellation"]);
        records.Select(r => r.GetProperty("invoice_number").GetString()).ShouldBe(["FV/000001", "FV/000002", "FV/000001"]);
        var previous = "";
        foreach (var r in records)
        {
            r.GetProperty("previous_fingerprint").GetString().ShouldBe(previous);
            var fingerprint = r.GetProperty("fingerprint").GetString()!;
            VeriFactuFingerprint.Of(r.GetProperty("fingerprint_input").GetString()!).ShouldBe(fingerprint);
            previous = fingerprint;
        }
    }

    [Fact]
    public async Task With_the_authority_down_an_invoice_gets_a_contingency_seal_within_the_deadline_then_is_reconciled()
    {
        var authority = app.Host.Services.GetRequiredService<SimulatedFiscalAuthority>();
        var clerk = As(TestDatabase.NewTenant(), LedgerRoles.Clerk);
        authority.GoDown();
        try
        {
            using var issued = await clerk.PostAsync("/api/invoices", IssueBody);
            var id = (await Json(issued, HttpStatusCode.Created)).GetProperty("id").GetGuid();
            var sealedView = await Eventually.Until(async () =>
            {
                using var got = await clerk.GetAsync($"/api/invoices/{id}");
                return await Json(got, HttpStatusCode.OK);
            }, v => v.GetProperty("stamp_status").GetString() == "contingency", TimeSpan.FromSeconds(15), "a contingency seal");
            var seal = sealedView.GetProperty("contingency_seal");
            (seal.GetProperty("signed_at").GetDateTimeOffset() - sealedView.GetProperty("issued_at").GetDateTimeOffset())
                .ShouldBeLessThanOrEqualTo(TimeSpan.FromSeconds(3));
            seal.GetProperty("algorithm").GetString().ShouldBe("ES256");

            authority.Answer();
            var stamped = await Eventually.Until(async () =>
            {
                using var got = await clerk.GetAsync($"/api/invoices/{id}");
                return await Json(got, HttpStatusCode.OK);
            }, v => v.GetProperty("stamp_status").GetString() == "stamped", TimeSpan.FromSeconds(30), "reconciliation");
            stamped.GetProperty("contingency_seal").GetProperty("key_id").GetString().ShouldBe(seal.GetProperty("key_id").GetString());
            var events = await app.Db.Store.ReadStreamAsync(clerk.Tenant, $"invoice-{id:D}");
            events.Count(e => e.EventType == "fiscal.invoice.stamped").ShouldBe(1);
        }
        finally
        {
            authority.Answer();
        }
    }
}

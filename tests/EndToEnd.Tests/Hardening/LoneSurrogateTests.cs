using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Ledger.EndToEnd.Tests.Audit;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests.Hardening;

/// <summary>
/// Issue 12, section 1: a lone surrogate (<c>"\ud800"</c>) is not text. In a decimal-string field it is refused as a
/// 400 validation problem, as it is in a text field, and the refusal appends nothing but its audit entry.
/// </summary>
public sealed class LoneSurrogateTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>
{
    private const string Surrogate = "\"\\ud800\"";
    private const string Invoice = """
        {"customer":{"customer_id":"cust-1","name":"Ada"},"currency":"EUR","exchange_rate":"1",
         "lines":[{"description":"Paper","quantity":"3","unit_price":"10.00","discount_percent":"10","tax_category":"es.vat.general"}]}
        """;

    public static TheoryData<string, string, string> Fields => new()
    {
        { "/api/orders", OrderApi.CreateBody, "\"12.50\"" },                                    // unit_price
        { "/api/orders", OrderApi.CreateBody, "\"25.00\"" },                                    // total
        { "/api/orders/{order}/payments", """{"amount":"25.00","payment_reference":"p"}""", "\"25.00\"" },
        { "/api/invoices", Invoice, "\"3\"" },                                                  // quantity
        { "/api/invoices", Invoice, "\"10.00\"" },                                              // unit_price
        { "/api/invoices", Invoice, "\"1\"" },                                                  // exchange_rate
        { "/api/invoices", Invoice, "\"10\"" },                                                 // discount_percent
        { "/api/invoices/{invoice}/credit-notes", """{"reason":"r","lines":[{"line":1,"quantity":"1"}]}""", "\"1\"" },
        { "/api/orders", OrderApi.CreateBody, "\"Widget\"" },                                  // a text field, for comparison
    };

    [Theory]
    [MemberData(nameof(Fields))]
    public async Task A_lone_surrogate_in_a_field_is_a_400(string path, string body, string value)
    {
        var tenant = TestDatabase.NewTenant();
        var hostile = body.Replace(value, Surrogate, StringComparison.Ordinal);
        hostile.ShouldNotBe(body);
        var target = path.Replace("{order}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
            .Replace("{invoice}", Guid.NewGuid().ToString(), StringComparison.Ordinal);
        var chainBefore = (await app.Db.ChainAsync(tenant)).Count;

        using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new StringContent(hostile, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", app.Tokens.For(tenant, LedgerRoles.Clerk));
        using var response = await app.Client().SendAsync(request);

        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, text);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        var entries = await app.Db.ChainAsync(tenant);
        (entries.Count - chainBefore).ShouldBe(1, "only the refusal's audit entry is written");
        (await app.Db.AuditEntriesAsync(tenant)).Count.ShouldBe(1);
    }
}

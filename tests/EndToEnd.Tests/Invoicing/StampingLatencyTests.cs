using System.Net;
using System.Text.Json;
using Ledger.Application.Invoicing.Stamping;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Ledger.EndToEnd.Tests.Invoicing;

/// <summary>
/// How long an invoice waits for its first stamp with the authority answering: from the issued event's time to the
/// stamped event's time, both as the Host recorded them. Every invoice must get the authority's stamp well before the
/// contingency cut-off (deadline − reserve): a stamping path that waited on a poll of seconds would seal them instead.
/// </summary>
public sealed class StampingLatencyTests(LedgerAppFixture app, ITestOutputHelper output) : IClassFixture<LedgerAppFixture>
{
    private const int Invoices = 30;

    private const string IssueBody = """
        {"series":"L-2026","customer":{"customer_id":"cust-1","tax_id":{"country":"ES","value":"B12345674"},"name":"Ada Lovelace"},
         "currency":"EUR",
         "lines":[{"description":"Ledger paper","quantity":"3","unit_price":"10.00","tax_category":"es.vat.general"}]}
        """;

    [Fact]
    public async Task Each_invoice_gets_the_authority_stamp_well_before_the_contingency_cut_off()
    {
        var options = app.Host.Services.GetRequiredService<StampingOptions>();
        var tenant = TestDatabase.NewTenant();
        var clerk = new OrderApi(app.Client(), app.Tokens.For(tenant, LedgerRoles.Clerk), tenant, app.Db.Store);
        var ids = new List<Guid>();
        for (var i = 0; i < Invoices; i++)
        {
            using var issued = await clerk.PostAsync("/api/invoices", IssueBody);
            var text = await issued.Content.ReadAsStringAsync();
            issued.StatusCode.ShouldBe(HttpStatusCode.Created, text);
            ids.Add(JsonDocument.Parse(text).RootElement.GetProperty("id").GetGuid());
            // Spread over a few seconds, as invoices arrive, rather than one burst.
            await Task.Delay(50);
        }

        var latencies = await Eventually.Until(async () =>
        {
            var waits = new List<TimeSpan>();
            foreach (var id in ids)
            {
                var events = await app.Db.Store.ReadStreamAsync(tenant, $"invoice-{id:D}");
                var issued = events.Single(e => e.EventType == "fiscal.invoice.issued");
                if (events.FirstOrDefault(e => e.EventType is "fiscal.invoice.stamped" or "fiscal.invoice.contingency_stamped") is { } first)
                {
                    first.EventType.ShouldBe("fiscal.invoice.stamped", $"invoice {id} was sealed in contingency: the authority answers");
                    waits.Add(first.OccurredAt - issued.OccurredAt);
                }
            }
            return waits;
        }, waits => waits.Count == Invoices, TimeSpan.FromSeconds(30), "every invoice stamped");

        var sorted = latencies.Order().ToList();
        output.WriteLine($"first stamp after issue, {Invoices} invoices: p50 {Ms(sorted[sorted.Count / 2])} ms, "
            + $"p90 {Ms(sorted[(int)(sorted.Count * 0.9)])} ms, max {Ms(sorted[^1])} ms");
        sorted[^1].ShouldBeLessThan(options.Deadline - options.ContingencyReserve);
    }

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture);
}

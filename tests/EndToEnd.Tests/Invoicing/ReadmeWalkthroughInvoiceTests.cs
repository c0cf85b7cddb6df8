using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ledger.Application.Audit;
using Ledger.Application.Invoicing;
using Ledger.Application.Invoicing.Settings;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.EndToEnd.Tests.Messaging;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests.Invoicing;

/// <summary>The Host as <c>make run</c> serves it in Development: the development issuer profile is on.</summary>
public sealed class DevelopmentInvoicingFixture : MessagingAppFixture
{
    protected override IReadOnlyDictionary<string, string?> MoreSettings { get; } =
        new Dictionary<string, string?> { ["Ledger:Invoicing:DevelopmentIssuerProfile"] = "true" };
}

/// <summary>
/// The README's first order, step by step, through the whole Host (HTTP, relay, broker, invoicing consumer, stamping):
/// a new tenant with no issuer profile ends with its order's invoice issued and stamped, and no dead letter.
/// </summary>
public sealed class ReadmeWalkthroughInvoiceTests(DevelopmentInvoicingFixture app) : IClassFixture<DevelopmentInvoicingFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task The_README_walkthrough_issues_and_stamps_the_orders_invoice_and_leaves_the_DLQ_empty()
    {
        var tenant = TestDatabase.NewTenant();
        var clerk = new OrderApi(app.Client(), app.Tokens.For(tenant, "clerk"), tenant, app.Db.Store);
        await app.WaitForConsumerAsync();

        // The README's requests, as written there.
        using var created = await clerk.PostAsync("/api/orders",
            """
            {"customer_id":"C-1001","currency":"EUR","lines":[{"sku":"SKU-1","description":"Widget","quantity":2,"unit_price":"12.50"}],
             "customer":{"name":"Ada Lovelace","email":"ada@example.org"}}
            """);
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var order = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("order_id").GetGuid();
        (await clerk.PostAsync($"/api/orders/{order}/payment-requests")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await clerk.PostAsync($"/api/orders/{order}/payments", """{"amount":"25.00","payment_reference":"PAY-1"}""")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await clerk.PostAsync($"/api/orders/{order}/fulfilment")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var invoiceId = InvoiceStreams.InvoiceIdForOrder(order);
        var invoice = await Eventually.Until(async () =>
        {
            using var got = await clerk.GetAsync($"/api/invoices/{invoiceId}");
            return got.StatusCode == HttpStatusCode.OK ? await got.Content.ReadFromJsonAsync<JsonElement>() : default;
        }, i => i.ValueKind == JsonValueKind.Object && i.GetProperty("stamp_status").GetString() == "stamped", Timeout, "the order's stamped invoice");

        invoice.GetProperty("number").GetString().ShouldBe("DEV/000001");
        invoice.GetProperty("order_id").GetGuid().ShouldBe(order);
        invoice.GetProperty("totals").GetProperty("base").GetString().ShouldBe("25.00");
        invoice.GetProperty("totals").GetProperty("tax").GetString().ShouldBe("5.25"); // es.vat.general, 21 %
        invoice.GetProperty("stamp").GetProperty("authority_id").GetString().ShouldNotBeNullOrEmpty();

        // The profile came from one audited event, provided at first use, and the tenant can read it back.
        var issuerEvents = await app.Db.Store.ReadStreamAsync(tenant, SettingsEventCodec.IssuerStream);
        issuerEvents.Single().EventType.ShouldBe(SettingsEventCodec.IssuerProfileSet);
        issuerEvents.Single().Metadata.Actor.ShouldBe(DevelopmentIssuerProfile.Actor);
        issuerEvents.Single().Data.GetProperty("source").GetString().ShouldBe(DevelopmentIssuerProfile.Source);
        var audit = await app.Db.Store.ReadStreamAsync(tenant, AuditStreams.For(SettingsEventCodec.IssuerStream));
        AuditEventCodec.Decode(audit.Single()).Streams!.Single().StreamId.ShouldBe(SettingsEventCodec.IssuerStream);
        var admin = new OrderApi(app.Client(), app.Tokens.For(tenant, "tenant_admin"), tenant, app.Db.Store);
        using var profile = await admin.GetAsync("/api/invoicing/issuer");
        profile.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await profile.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("default_tax_category").GetString().ShouldBe("es.vat.general");

        var dlq = await app.RunLedgerAsync("dlq", "list");
        dlq.ExitCode.ShouldBe(0, dlq.Stderr);
        dlq.Stdout.ShouldBeEmpty();
        dlq.Stderr.ShouldContain("no dead letters");
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ledger.Application.Orders;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests;

public sealed class OrderLifecycleTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>
{
    private OrderApi Clerk(string tenant) =>
        new(app.Client(), app.Tokens.For(tenant, LedgerRoles.Clerk), tenant, app.Db.Store);

    [Fact]
    public async Task Create_request_payment_pay_fulfil_Then_get_shows_fulfilled_order()
    {
        var clerk = Clerk(TestDatabase.NewTenant());

        using var created = await clerk.PostAsync("/api/orders", OrderApi.CreateBody);
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var createdBody = await created.Content.ReadFromJsonAsync<JsonElement>();
        var orderId = createdBody.GetProperty("order_id").GetGuid();
        created.Headers.Location!.ToString().ShouldBe($"/api/orders/{orderId:D}");
        created.Headers.ETag!.Tag.ShouldBe("\"1\"");
        created.Headers.GetValues("X-Ledger-Position").Single().ShouldBe(createdBody.GetProperty("position").GetString());

        using (var requested = await clerk.PostAsync($"/api/orders/{orderId}/payment-requests"))
            requested.StatusCode.ShouldBe(HttpStatusCode.OK, await requested.Content.ReadAsStringAsync());
        using (var paid = await clerk.PostAsync($"/api/orders/{orderId}/payments", """{"amount":"25.00","payment_reference":"psp-123"}""", ifMatch: "\"2\""))
        {
            paid.StatusCode.ShouldBe(HttpStatusCode.OK, await paid.Content.ReadAsStringAsync());
            paid.Headers.ETag!.Tag.ShouldBe("\"3\"");
        }
        using (var fulfilled = await clerk.PostAsync($"/api/orders/{orderId}/fulfilment", "{}"))
        {
            fulfilled.StatusCode.ShouldBe(HttpStatusCode.OK, await fulfilled.Content.ReadAsStringAsync());
            (await fulfilled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64().ShouldBe(4);
        }

        using var get = await clerk.GetAsync($"/api/orders/{orderId}");
        get.StatusCode.ShouldBe(HttpStatusCode.OK);
        get.Headers.ETag!.Tag.ShouldBe("\"4\"");
        var order = await get.Content.ReadFromJsonAsync<JsonElement>();
        order.GetProperty("order_id").GetGuid().ShouldBe(orderId);
        order.GetProperty("status").GetString().ShouldBe("fulfilled");
        order.GetProperty("version").GetInt64().ShouldBe(4);
        order.GetProperty("customer_id").GetString().ShouldBe("cust-1");
        order.GetProperty("currency").GetString().ShouldBe("EUR");
        order.GetProperty("total").GetString().ShouldBe("25.00");
        order.GetProperty("paid_amount").GetString().ShouldBe("25.00");
        order.GetProperty("payment_reference").GetString().ShouldBe("psp-123");
        order.GetProperty("lines")[0].GetProperty("unit_price").GetString().ShouldBe("12.50");
        // The clerk sees the customer's personal data, opened with their key; an accountant gets the order without it.
        order.GetProperty("personal_data").GetProperty("status").GetString().ShouldBe("available");
        order.GetProperty("personal_data").GetProperty("fields").GetProperty("name").GetString().ShouldBe("Ada Lovelace");
        using (var accountant = app.Client())
        {
            accountant.DefaultRequestHeaders.Authorization = new("Bearer", app.Tokens.For(clerk.Tenant, LedgerRoles.Accountant));
            var forAccountant = await accountant.GetStringAsync($"/api/orders/{orderId}");
            forAccountant.ShouldNotContain("Ada Lovelace");
            forAccountant.ShouldContain("\"personal_data\":null");
        }

        var events = await clerk.EventsAsync(orderId);
        events.Select(e => e.EventType).ShouldBe(
        [
            OrderEventCodec.Created, OrderEventCodec.PaymentRequested, OrderEventCodec.Paid, OrderEventCodec.Fulfilled,
        ]);
        events.ShouldAllBe(e => e.Metadata.Actor == "tester" && e.Metadata.Origin == "http" && e.TenantId == clerk.Tenant);
    }

    [Fact]
    public async Task Correlation_id_from_the_request_is_echoed_and_recorded_in_the_events()
    {
        var tenant = TestDatabase.NewTenant();
        var client = app.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders")
        {
            Content = new StringContent(OrderApi.CreateBody, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", app.Tokens.For(tenant, LedgerRoles.Clerk));
        request.Headers.Add("X-Correlation-Id", "corr-42.a_b");
        using var response = await client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        response.Headers.GetValues("X-Correlation-Id").Single().ShouldBe("corr-42.a_b");
        var orderId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("order_id").GetGuid();
        var events = await app.Db.Store.ReadStreamAsync(tenant, OrderStreams.For(orderId));
        events.Single().Metadata.CorrelationId.ShouldBe("corr-42.a_b");
        events.Single().Metadata.TraceId.ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task Cancel_an_unpaid_order()
    {
        var clerk = Clerk(TestDatabase.NewTenant());
        var orderId = await clerk.CreateAsync();

        using var cancelled = await clerk.PostAsync($"/api/orders/{orderId}/cancellation", """{"reason":"customer changed their mind"}""");
        cancelled.StatusCode.ShouldBe(HttpStatusCode.OK);

        using var get = await clerk.GetAsync($"/api/orders/{orderId}");
        var order = await get.Content.ReadFromJsonAsync<JsonElement>();
        order.GetProperty("status").GetString().ShouldBe("cancelled");
        order.GetProperty("cancellation_reason").GetString().ShouldBe("customer changed their mind");
    }

    [Fact]
    public async Task Failed_payment_then_a_new_request_and_payment()
    {
        var clerk = Clerk(TestDatabase.NewTenant());
        var orderId = await clerk.CreateAsync();

        (await clerk.PostAsync($"/api/orders/{orderId}/payment-requests")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await clerk.PostAsync($"/api/orders/{orderId}/payment-failures", """{"reason":"card declined"}""")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await clerk.PostAsync($"/api/orders/{orderId}/payment-requests")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await clerk.PostAsync($"/api/orders/{orderId}/payments", """{"amount":"25.00","payment_reference":"psp-2"}""")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var order = await (await clerk.GetAsync($"/api/orders/{orderId}")).Content.ReadFromJsonAsync<JsonElement>();
        order.GetProperty("status").GetString().ShouldBe("paid");
    }

    [Fact]
    public async Task Accountant_may_read_an_order()
    {
        var tenant = TestDatabase.NewTenant();
        var orderId = await Clerk(tenant).CreateAsync();
        var accountant = new OrderApi(app.Client(), app.Tokens.For(tenant, LedgerRoles.Accountant), tenant, app.Db.Store);

        using var get = await accountant.GetAsync($"/api/orders/{orderId}");
        get.StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}

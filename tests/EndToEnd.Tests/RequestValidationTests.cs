using System.Net;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests;

/// <summary>Every malformed request is a clean 4xx problem, and the order's stream is exactly as it was.</summary>
public sealed class RequestValidationTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>
{
    private async Task<(OrderApi Clerk, Guid OrderId)> OrderAwaitingPayment()
    {
        var tenant = TestDatabase.NewTenant();
        var clerk = new OrderApi(app.Client(), app.Tokens.For(tenant, LedgerRoles.Clerk), tenant, app.Db.Store);
        var orderId = await clerk.CreateAsync();
        (await clerk.PostAsync($"/api/orders/{orderId}/payment-requests")).StatusCode.ShouldBe(HttpStatusCode.OK);
        return (clerk, orderId);
    }

    private static async Task ShouldBeUnchanged(OrderApi clerk, Guid orderId) =>
        (await clerk.EventsAsync(orderId)).Count.ShouldBe(2);

    public static TheoryData<string, string, HttpStatusCode, string> BadPayments => new()
    {
        { "malformed JSON", """{"amount":"25.00",""", HttpStatusCode.BadRequest, "request.malformed" },
        { "not an object", """[1,2]""", HttpStatusCode.BadRequest, "request.malformed" },
        { "unknown field", """{"amount":"25.00","payment_reference":"p","tip":"1.00"}""", HttpStatusCode.BadRequest, "request.malformed" },
        { "missing field", """{"payment_reference":"p"}""", HttpStatusCode.BadRequest, "request.malformed" },
        { "null field", """{"amount":"25.00","payment_reference":null}""", HttpStatusCode.BadRequest, "request.malformed" },
        { "duplicate field", """{"amount":"25.00","amount":"1.00","payment_reference":"p"}""", HttpStatusCode.BadRequest, "request.malformed" },
        { "money as a number", """{"amount":25.00,"payment_reference":"p"}""", HttpStatusCode.BadRequest, "validation.amount_not_string" },
        { "negative amount", """{"amount":"-25.00","payment_reference":"p"}""", HttpStatusCode.BadRequest, "validation.negative_amount" },
        { "amount in exponent form", """{"amount":"2.5e1","payment_reference":"p"}""", HttpStatusCode.BadRequest, "validation.invalid_amount" },
        { "reference too long", $$"""{"amount":"25.00","payment_reference":"{{new string('r', 129)}}"}""", HttpStatusCode.BadRequest, "validation.too_long" },
        { "wrong amount (domain)", """{"amount":"24.99","payment_reference":"p"}""", HttpStatusCode.UnprocessableEntity, "order.amount_mismatch" },
    };

    [Theory]
    [MemberData(nameof(BadPayments))]
    public async Task Bad_payment_is_refused_and_nothing_is_written(string what, string body, HttpStatusCode status, string code)
    {
        var (clerk, orderId) = await OrderAwaitingPayment();

        using var response = await clerk.PostAsync($"/api/orders/{orderId}/payments", body);

        await response.ShouldBeProblem(status, code);
        await ShouldBeUnchanged(clerk, orderId);
        what.ShouldNotBeEmpty();
    }

    [Theory]
    [InlineData("cliente-ñ")]
    [InlineData("Müller.GmbH")]
    [InlineData("客户-7")]
    public async Task An_identifier_of_letters_in_any_script_is_what_the_message_promises(string customerId)
    {
        // Issue 12: "may contain only letters, digits and . _ : -" refused ñ.
        var tenant = TestDatabase.NewTenant();
        var clerk = new OrderApi(app.Client(), app.Tokens.For(tenant, LedgerRoles.Clerk), tenant, app.Db.Store);
        using (var created = await clerk.PostAsync("/api/orders", OrderApi.CreateBody.Replace("cust-1", customerId, StringComparison.Ordinal)))
            created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());

        var accountant = new OrderApi(app.Client(), app.Tokens.For(tenant, LedgerRoles.Accountant), tenant, app.Db.Store);
        using (var report = await accountant.GetAsync("/api/reports/orders?customer_id=" + Uri.EscapeDataString(customerId)))
            report.StatusCode.ShouldBe(HttpStatusCode.OK, await report.Content.ReadAsStringAsync());

        using var spaced = await clerk.PostAsync("/api/orders", OrderApi.CreateBody.Replace("cust-1", customerId + " x", StringComparison.Ordinal));
        await spaced.ShouldBeProblem(HttpStatusCode.BadRequest, "validation.invalid_format");
    }

    [Fact]
    public async Task Negative_unit_price_on_create_is_400_with_the_field()
    {
        var tenant = TestDatabase.NewTenant();
        var clerk = new OrderApi(app.Client(), app.Tokens.For(tenant, LedgerRoles.Clerk), tenant, app.Db.Store);
        var orderId = Guid.NewGuid();

        using var response = await clerk.PostAsync("/api/orders", $$"""
            {"order_id":"{{orderId}}","customer_id":"c","currency":"EUR",
             "lines":[{"sku":"A","description":"d","quantity":1,"unit_price":"-1.00"}]}
            """);

        var problem = await response.ShouldBeProblem(HttpStatusCode.BadRequest, "validation.negative_amount");
        problem.GetProperty("errors").TryGetProperty("lines[0].unit_price", out _).ShouldBeTrue();
        (await clerk.EventsAsync(orderId)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Unit_price_as_a_json_number_is_400()
    {
        var tenant = TestDatabase.NewTenant();
        var clerk = new OrderApi(app.Client(), app.Tokens.For(tenant, LedgerRoles.Clerk), tenant, app.Db.Store);
        var orderId = Guid.NewGuid();

        using var response = await clerk.PostAsync("/api/orders", $$"""
            {"order_id":"{{orderId}}","customer_id":"c","currency":"EUR",
             "lines":[{"sku":"A","description":"d","quantity":1,"unit_price":12.5}]}
            """);

        await response.ShouldBeProblem(HttpStatusCode.BadRequest, "validation.amount_not_string");
        (await clerk.EventsAsync(orderId)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Several_invalid_fields_are_reported_together()
    {
        var tenant = TestDatabase.NewTenant();
        var clerk = new OrderApi(app.Client(), app.Tokens.For(tenant, LedgerRoles.Clerk), tenant, app.Db.Store);

        using var response = await clerk.PostAsync("/api/orders", """
            {"order_id":"not-a-uuid","customer_id":"has spaces","currency":"euro",
             "lines":[{"sku":"A","description":"d","quantity":0,"unit_price":"1.00"}]}
            """);

        var problem = await response.ShouldBeProblem(HttpStatusCode.BadRequest, "validation.failed");
        var errors = problem.GetProperty("errors");
        foreach (var field in new[] { "order_id", "customer_id", "currency", "lines[0].quantity" })
            errors.TryGetProperty(field, out _).ShouldBeTrue(field);
    }

    [Fact]
    public async Task Oversized_body_is_413_and_nothing_is_written()
    {
        var (clerk, orderId) = await OrderAwaitingPayment();
        var huge = $$"""{"reason":"{{new string('x', 70 * 1024)}}"}""";

        using var response = await clerk.PostAsync($"/api/orders/{orderId}/payment-failures", huge);

        await response.ShouldBeProblem(HttpStatusCode.RequestEntityTooLarge, "request.too_large");
        await ShouldBeUnchanged(clerk, orderId);
    }

    [Fact]
    public async Task Body_that_is_not_json_is_415()
    {
        var (clerk, orderId) = await OrderAwaitingPayment();

        using var response = await clerk.PostAsync($"/api/orders/{orderId}/payment-failures", "reason=x", mediaType: "application/x-www-form-urlencoded");

        await response.ShouldBeProblem(HttpStatusCode.UnsupportedMediaType, "request.unsupported_media_type");
        await ShouldBeUnchanged(clerk, orderId);
    }

    [Fact]
    public async Task Malformed_order_id_in_the_path_is_400()
    {
        var (clerk, _) = await OrderAwaitingPayment();
        using var response = await clerk.GetAsync("/api/orders/12345");
        var problem = await response.ShouldBeProblem(HttpStatusCode.BadRequest, "validation.invalid_format");
        problem.GetProperty("errors").TryGetProperty("id", out _).ShouldBeTrue();
    }

    [Theory]
    [InlineData("2")]
    [InlineData("W/\"2\"")]
    [InlineData("\"two\"")]
    [InlineData("\"2\", \"3\"")]
    public async Task Malformed_if_match_is_400_and_nothing_is_written(string ifMatch)
    {
        var (clerk, orderId) = await OrderAwaitingPayment();

        using var response = await clerk.PostAsync($"/api/orders/{orderId}/payments", """{"amount":"25.00","payment_reference":"p"}""", ifMatch: ifMatch);

        await response.ShouldBeProblem(HttpStatusCode.BadRequest, "request.invalid_if_match");
        await ShouldBeUnchanged(clerk, orderId);
    }

    [Fact]
    public async Task Stale_if_match_is_409_with_the_actual_version_and_nothing_is_written()
    {
        var (clerk, orderId) = await OrderAwaitingPayment();

        using var response = await clerk.PostAsync($"/api/orders/{orderId}/payments", """{"amount":"25.00","payment_reference":"p"}""", ifMatch: "\"1\"");

        var problem = await response.ShouldBeProblem(HttpStatusCode.Conflict, "concurrency.conflict");
        problem.GetProperty("actual_version").GetInt64().ShouldBe(2);
        await ShouldBeUnchanged(clerk, orderId);
    }

    [Fact]
    public async Task Fulfilling_an_unpaid_order_is_422_with_the_domain_code_and_nothing_is_written()
    {
        var (clerk, orderId) = await OrderAwaitingPayment();

        using var response = await clerk.PostAsync($"/api/orders/{orderId}/fulfilment");

        await response.ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "order.not_paid");
        await ShouldBeUnchanged(clerk, orderId);
    }

    [Fact]
    public async Task Command_on_an_order_that_does_not_exist_is_404()
    {
        var (clerk, _) = await OrderAwaitingPayment();
        using var response = await clerk.PostAsync($"/api/orders/{Guid.NewGuid()}/fulfilment");
        await response.ShouldBeProblem(HttpStatusCode.NotFound, "order.not_found");
    }
}

using System.Net;
using System.Text.Json;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests.ReadModels;

/// <summary>The accountants' reports through the Host: read-your-writes, freshness, CSV, paging, roles and tenants.</summary>
public sealed class ReportApiTests(ReportsAppFixture app) : IClassFixture<ReportsAppFixture>
{
    private const string MinPosition = "X-Ledger-Min-Position";
    private const string Freshness = "X-Ledger-Projection-Position";

    [Fact]
    public async Task An_accountant_reads_a_clerks_write_at_once_by_asking_for_its_position()
    {
        var tenant = TestDatabase.NewTenant();
        var clerk = app.As(tenant, LedgerRoles.Clerk);
        var orderId = await clerk.CreateAsync();
        using (var requested = await clerk.PostAsync($"/api/orders/{orderId}/payment-requests"))
            requested.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var paid = await clerk.PostAsync($"/api/orders/{orderId}/payments", """{"amount":"25.00","payment_reference":"psp-1"}""");
        paid.StatusCode.ShouldBe(HttpStatusCode.OK, await paid.Content.ReadAsStringAsync());
        var written = paid.Headers.GetValues("X-Ledger-Position").Single();

        var accountant = app.Reader(tenant, LedgerRoles.Accountant);
        using var orders = await accountant.GetAsync("/api/reports/orders", written);
        var body = await Json(orders);
        var order = body.GetProperty("items").EnumerateArray().ShouldHaveSingleItem();
        order.GetProperty("order_id").GetGuid().ShouldBe(orderId);
        order.GetProperty("status").GetString().ShouldBe("paid");
        order.GetProperty("total").GetString().ShouldBe("25.00");
        order.GetProperty("paid_amount").GetString().ShouldBe("25.00");
        order.GetProperty("customer_id").GetString().ShouldBe("cust-1");
        order.ToString().ShouldNotContain("Lovelace"); // no personal data in reports (not "Ada": ids are hex)
        order.ToString().ShouldNotContain("example.org");
        var position = orders.Headers.GetValues(Freshness).Single();
        body.GetProperty("projection_position").GetString().ShouldBe(position);
        Ledger.EventStore.GlobalPosition.TryParse(position, out var reflected).ShouldBeTrue();
        Ledger.EventStore.GlobalPosition.TryParse(written, out var wanted).ShouldBeTrue();
        reflected.ShouldBeGreaterThanOrEqualTo(wanted);
        body.GetProperty("next_cursor").ValueKind.ShouldBe(JsonValueKind.Null);

        using var journal = await accountant.GetAsync("/api/reports/sales-journal", written);
        var day = (await Json(journal)).GetProperty("items").EnumerateArray().ShouldHaveSingleItem();
        (day.GetProperty("currency").GetString(), day.GetProperty("orders_paid").GetInt32(), day.GetProperty("amount").GetString()).ShouldBe(("EUR", 1, "25.00"));
        day.GetProperty("day").GetString().ShouldBe(DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Receivables_show_what_each_customer_owes_aged_as_of_today()
    {
        var tenant = TestDatabase.NewTenant();
        var clerk = app.As(tenant, LedgerRoles.Clerk);
        string? position = null;
        for (var i = 0; i < 2; i++)
        {
            var orderId = await clerk.CreateAsync();
            using var requested = await clerk.PostAsync($"/api/orders/{orderId}/payment-requests");
            position = requested.Headers.GetValues("X-Ledger-Position").Single();
        }

        using var response = await app.Reader(tenant, LedgerRoles.Accountant).GetAsync("/api/reports/receivables", position);
        var body = await Json(response);
        body.GetProperty("as_of").GetString().ShouldBe(DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        var owed = body.GetProperty("items").EnumerateArray().ShouldHaveSingleItem();
        (owed.GetProperty("customer_id").GetString(), owed.GetProperty("orders").GetInt32(), owed.GetProperty("owed").GetString())
            .ShouldBe(("cust-1", 2, "50.00"));
        (owed.GetProperty("days_0_30").GetString(), owed.GetProperty("days_over_90").GetString()).ShouldBe(("50.00", "0"));
    }

    [Fact]
    public async Task Accept_text_csv_returns_the_same_page_as_csv_and_pages_follow_their_cursor()
    {
        var tenant = TestDatabase.NewTenant();
        var clerk = app.As(tenant, LedgerRoles.Clerk);
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++) ids.Add(await clerk.CreateAsync());
        var accountant = app.Reader(tenant, LedgerRoles.Accountant);
        await Eventually.Until(async () => (await Json(await accountant.GetAsync("/api/reports/orders"))).GetProperty("items").GetArrayLength(), n => n == 5);

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            using var page = await accountant.GetAsync("/api/reports/orders?limit=2" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            var body = await Json(page);
            seen.AddRange(body.GetProperty("items").EnumerateArray().Select(o => o.GetProperty("order_id").GetGuid()));
            cursor = body.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);
        seen.ShouldBe(ids, ignoreOrder: true);
        seen.Count.ShouldBe(5);

        using var csv = await accountant.GetAsync("/api/reports/orders?limit=3", accept: "text/csv");
        csv.StatusCode.ShouldBe(HttpStatusCode.OK);
        csv.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        csv.Headers.GetValues(Freshness).Single().ShouldNotBeNullOrEmpty();
        csv.Headers.GetValues("X-Ledger-Next-Cursor").Single().ShouldNotBeNullOrEmpty();
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldStartWith("order_id,status,customer_id,currency,total,paid_amount,created_at");
        lines.Length.ShouldBe(4);
        lines[1].ShouldContain(",created,cust-1,EUR,25.00,,");
    }

    [Fact]
    public async Task Reports_are_for_accountants_of_the_tokens_tenant_only()
    {
        var tenant = TestDatabase.NewTenant();
        var clerk = app.As(tenant, LedgerRoles.Clerk);
        await clerk.CreateAsync();
        using var created = await clerk.PostAsync("/api/orders", OrderApi.CreateBody.Replace("cust-1", "cust-2", StringComparison.Ordinal));
        var position = created.Headers.GetValues("X-Ledger-Position").Single();

        using (var asClerk = await app.Reader(tenant, LedgerRoles.Clerk).GetAsync("/api/reports/orders"))
            await asClerk.ShouldBeProblem(HttpStatusCode.Forbidden, "auth.forbidden");
        using (var anonymous = await app.Reader(tenant).GetAsync("/api/reports/orders"))
            anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        using var mine = await app.Reader(tenant, LedgerRoles.Accountant).GetAsync("/api/reports/orders", position);
        (await Json(mine)).GetProperty("items").GetArrayLength().ShouldBe(2);
        using var theirs = await app.Reader(TestDatabase.NewTenant(), LedgerRoles.Accountant).GetAsync("/api/reports/orders", position);
        (await Json(theirs)).GetProperty("items").GetArrayLength().ShouldBe(0);
    }

    [Theory]
    [InlineData("/api/reports/orders?limit=0", "read_model.invalid_limit")]
    [InlineData("/api/reports/orders?limit=501", "read_model.invalid_limit")]
    [InlineData("/api/reports/orders?limit=ten", "read_model.invalid_limit")]
    [InlineData("/api/reports/orders?cursor=bm9wZQ", "read_model.invalid_cursor")]
    [InlineData("/api/reports/orders?status=lost", "read_model.invalid_filter")]
    [InlineData("/api/reports/orders?stauts=paid", "read_model.invalid_filter")]
    [InlineData("/api/reports/orders?created_from=yesterday", "read_model.invalid_filter")]
    [InlineData("/api/reports/orders?created_from=2025-02-01T00:00:00Z&created_to=2025-01-01T00:00:00Z", "read_model.invalid_filter")]
    [InlineData("/api/reports/receivables?as_of=31/01/2025", "read_model.invalid_filter")]
    [InlineData("/api/reports/sales-journal?currency=euro", "read_model.invalid_filter")]
    [InlineData("/api/reports/sales-journal?min_position=12-3", "read_model.invalid_position")]
    public async Task A_malformed_query_is_a_400_with_a_stable_code(string path, string code)
    {
        using var response = await app.Reader(TestDatabase.NewTenant(), LedgerRoles.Accountant).GetAsync(path);
        await response.ShouldBeProblem(HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task A_cursor_used_with_other_filters_is_refused()
    {
        var tenant = TestDatabase.NewTenant();
        var clerk = app.As(tenant, LedgerRoles.Clerk);
        await clerk.CreateAsync();
        using var created = await clerk.PostAsync("/api/orders", OrderApi.CreateBody);
        var accountant = app.Reader(tenant, LedgerRoles.Accountant);
        using var first = await accountant.GetAsync("/api/reports/orders?limit=1", created.Headers.GetValues("X-Ledger-Position").Single());
        var cursor = (await Json(first)).GetProperty("next_cursor").GetString()!;

        using var other = await accountant.GetAsync("/api/reports/orders?limit=1&status=paid&cursor=" + Uri.EscapeDataString(cursor));
        await other.ShouldBeProblem(HttpStatusCode.BadRequest, "read_model.invalid_cursor");
    }

    [Fact]
    public async Task A_position_the_projection_does_not_reach_in_time_is_a_503_with_retry_after()
    {
        using var response = await app.Reader(TestDatabase.NewTenant(), LedgerRoles.Accountant).GetAsync("/api/reports/orders", "999999999999");
        var problem = await response.ShouldBeProblem(HttpStatusCode.ServiceUnavailable, "read_model.not_caught_up");
        response.Headers.RetryAfter.ShouldNotBeNull();
        problem.GetProperty("min_position").GetString().ShouldBe("999999999999");
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return JsonSerializer.Deserialize<JsonElement>(text);
    }
}

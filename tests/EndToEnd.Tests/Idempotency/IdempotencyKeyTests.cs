using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ledger.Application.Orders;
using Ledger.EndToEnd.Tests.Audit;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.TestSupport;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.EndToEnd.Tests.Idempotency;

/// <summary>Issue 8, item 1: a write retried with its Idempotency-Key is answered as the first time, and appends nothing.</summary>
public sealed class IdempotencyKeyTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>
{
    private IdempotentClient Clerk(string tenant) => new(app.Client(), app.Tokens.For(tenant, LedgerRoles.Clerk));

    private async Task<long> OrdersCreated(string tenant) =>
        await app.Db.ScalarAsync("SELECT count(*) FROM ledger_records WHERE tenant_id = $1 AND event_type = $2", tenant, OrderEventCodec.Created);

    [Fact]
    public async Task Twenty_concurrent_creates_with_one_key_make_one_order_and_twenty_identical_answers()
    {
        var tenant = TestDatabase.NewTenant();
        var clerk = Clerk(tenant);
        var key = "create-" + Guid.NewGuid();

        using var start = new SemaphoreSlim(0);
        var attempts = Enumerable.Range(0, 20).Select(async _ =>
        {
            await start.WaitAsync();
            // A retry is the same request: same body, same key, same correlation id.
            using var response = await clerk.PostAsync("/api/orders", OrderApi.CreateBody, key, correlationId: "retry-corr-1");
            return await IdempotentClient.AnswerOf(response);
        }).ToList();
        start.Release(attempts.Count);
        var answers = await Task.WhenAll(attempts);

        answers.Distinct().Count().ShouldBe(1, string.Join("\n---\n", answers.Distinct()));
        answers.Count(a => !a.Replayed).ShouldBe(1, "the first answer, and only it, is not a replay");
        answers[0].Status.ShouldBe(201);
        answers[0].Headers.ShouldContain("location: /api/orders/");
        answers[0].Headers.ShouldContain("etag: \"1\"");
        answers[0].Headers.ShouldContain("x-ledger-position: ");
        (await OrdersCreated(tenant)).ShouldBe(1);
        (await app.Db.AuditEntriesAsync(tenant)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Concurrent_retries_through_two_hosts_make_one_order_and_identical_answers()
    {
        // A second host on the same database has its own in-process gate: only the database lock on the key is shared.
        // It is handed the first host's key object: a host disposes the keys it loaded, and IdentityModel caches one
        // signature provider per key (by its parameters) for the whole process, so the first host's tokens would fail after.
        var keys = app.Host.Services.GetRequiredService<LedgerSigningKeys>();
        await using var other = await app.HostWith(host => host.ConfigureTestServices(services => services.AddSingleton(keys)));
        var tenant = TestDatabase.NewTenant();
        var token = app.Tokens.For(tenant, LedgerRoles.Clerk);
        var hosts = new[] { new IdempotentClient(app.Client(), token), new IdempotentClient(other.Client(), token) };

        using var start = new SemaphoreSlim(0);
        var attempts = Enumerable.Range(0, 20).Select(async i =>
        {
            await start.WaitAsync();
            using var response = await hosts[i % 2].PostAsync("/api/orders", OrderApi.CreateBody, "two-hosts", correlationId: "retry-corr-2");
            return await IdempotentClient.AnswerOf(response);
        }).ToList();
        start.Release(attempts.Count);
        var answers = await Task.WhenAll(attempts);

        answers.Distinct().Count().ShouldBe(1, string.Join("\n---\n", answers.Distinct()));
        answers.Count(a => !a.Replayed).ShouldBe(1, "the first answer, and only it, is not a replay");
        answers[0].Status.ShouldBe(201);
        (await OrdersCreated(tenant)).ShouldBe(1);
        (await app.Db.AuditEntriesAsync(tenant)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Retry_after_the_first_answer_replays_it_without_appending()
    {
        var tenant = TestDatabase.NewTenant();
        var clerk = Clerk(tenant);
        using var first = await clerk.PostAsync("/api/orders", OrderApi.CreateBody, "k-1");
        var original = await IdempotentClient.AnswerOf(first);
        var chainBefore = (await app.Db.ChainAsync(tenant)).Count;

        using var retry = await clerk.PostAsync("/api/orders", OrderApi.CreateBody, "k-1");

        (await IdempotentClient.AnswerOf(retry) with { Headers = "" }).ShouldBe(original with { Headers = "" });
        first.Headers.Contains(IdempotentClient.ReplayedHeader).ShouldBeFalse();
        retry.Headers.GetValues(IdempotentClient.ReplayedHeader).Single().ShouldBe("true");
        retry.Headers.ETag.ShouldBe(first.Headers.ETag);
        retry.Headers.Location.ShouldBe(first.Headers.Location);
        retry.Headers.GetValues("X-Ledger-Position").ShouldBe(first.Headers.GetValues("X-Ledger-Position"));
        retry.Content.Headers.ContentType.ShouldBe(first.Content.Headers.ContentType);
        (await app.Db.ChainAsync(tenant)).Count.ShouldBe(chainBefore);
    }

    [Fact]
    public async Task Same_key_with_another_body_is_refused_422_and_appends_only_its_audit_entry()
    {
        var tenant = TestDatabase.NewTenant();
        var clerk = Clerk(tenant);
        (await clerk.PostAsync("/api/orders", OrderApi.CreateBody, "k-reused")).StatusCode.ShouldBe(HttpStatusCode.Created);

        using var reused = await clerk.PostAsync("/api/orders", OrderApi.CreateBody.Replace("cust-1", "cust-2", StringComparison.Ordinal), "k-reused");

        await reused.ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "idempotency.key_reused");
        (await OrdersCreated(tenant)).ShouldBe(1);
        var audit = await app.Db.AuditEntriesAsync(tenant);
        (audit[^1].Result, audit[^1].Status, audit[^1].Code).ShouldBe(("failure", (int?)422, "idempotency.key_reused"));
    }

    [Fact]
    public async Task Same_key_on_another_path_or_with_another_if_match_is_another_request()
    {
        var tenant = TestDatabase.NewTenant();
        var clerk = Clerk(tenant);
        using var created = await clerk.PostAsync("/api/orders", OrderApi.CreateBody, "k-path");
        var orderId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("order_id").GetGuid();

        using (var otherPath = await clerk.PostAsync($"/api/orders/{orderId}/payment-requests", "{}", "k-path"))
            await otherPath.ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "idempotency.key_reused");
        (await clerk.PostAsync($"/api/orders/{orderId}/payment-requests", "{}", "k-if", ifMatch: "\"1\"")).StatusCode.ShouldBe(HttpStatusCode.OK);
        using (var otherIfMatch = await clerk.PostAsync($"/api/orders/{orderId}/payment-requests", "{}", "k-if", ifMatch: "\"2\""))
            await otherIfMatch.ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "idempotency.key_reused");
    }

    [Fact]
    public async Task Keys_belong_to_their_tenant()
    {
        var (a, b) = (TestDatabase.NewTenant(), TestDatabase.NewTenant());
        using var first = await Clerk(a).PostAsync("/api/orders", OrderApi.CreateBody, "shared-key");
        using var second = await Clerk(b).PostAsync("/api/orders", OrderApi.CreateBody, "shared-key");

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        second.StatusCode.ShouldBe(HttpStatusCode.Created);
        second.Headers.Location.ShouldNotBe(first.Headers.Location);
        (await OrdersCreated(a)).ShouldBe(1);
        (await OrdersCreated(b)).ShouldBe(1);
    }

    [Fact]
    public async Task A_refusal_is_not_remembered_so_the_retry_runs_again()
    {
        var tenant = TestDatabase.NewTenant();
        var clerk = Clerk(tenant);
        using var created = await clerk.PostAsync("/api/orders", OrderApi.CreateBody, null);
        var orderId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("order_id").GetGuid();
        const string payment = """{"amount":"25.00","payment_reference":"psp-1"}""";

        using (var early = await clerk.PostAsync($"/api/orders/{orderId}/payments", payment, "pay-1"))
            early.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await clerk.PostAsync($"/api/orders/{orderId}/payment-requests", "{}", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var retried = await clerk.PostAsync($"/api/orders/{orderId}/payments", payment, "pay-1");

        retried.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await app.Db.Store.ReadStreamAsync(tenant, OrderStreams.For(orderId))).Count(e => e.EventType == OrderEventCodec.Paid).ShouldBe(1);
    }

    public static TheoryData<string> InvalidKeys => [new string('k', 256), "has space", "tab\tkey", "ключ"];

    [Theory]
    [MemberData(nameof(InvalidKeys))]
    public async Task Invalid_key_is_400_and_nothing_but_the_refusal_is_written(string key)
    {
        var tenant = TestDatabase.NewTenant();
        using var response = await Clerk(tenant).PostAsync("/api/orders", OrderApi.CreateBody, key);

        await response.ShouldBeProblem(HttpStatusCode.BadRequest, "idempotency.invalid_key");
        (await OrdersCreated(tenant)).ShouldBe(0);
        var chain = await app.Db.ChainAsync(tenant);
        chain.Count.ShouldBe(1);
        (chain[0].Status, chain[0].Code).ShouldBe(((int?)400, "idempotency.invalid_key"));
    }

    [Fact]
    public async Task A_key_of_255_visible_characters_is_accepted()
    {
        var key = string.Concat(Enumerable.Range(0, 255).Select(i => (char)('!' + i % 94)));
        using var response = await Clerk(TestDatabase.NewTenant()).PostAsync("/api/orders", OrderApi.CreateBody, key);
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Expired_key_is_a_new_request()
    {
        var tenant = TestDatabase.NewTenant();
        var clerk = Clerk(tenant);
        using var first = await clerk.PostAsync("/api/orders", OrderApi.CreateBody, "k-expiring");
        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        // The window passes (the table is a cache, not an event table: moving its clock back is fair in a test).
        await app.Db.ScalarAsync("""
            WITH moved AS (UPDATE idempotency_keys SET created_at = created_at - interval '2 days', expires_at = expires_at - interval '2 days'
                            WHERE tenant_id = $1 RETURNING 1)
            SELECT count(*) FROM moved
            """, tenant);

        using var second = await clerk.PostAsync("/api/orders", OrderApi.CreateBody, "k-expiring");
        using var third = await clerk.PostAsync("/api/orders", OrderApi.CreateBody, "k-expiring");

        second.StatusCode.ShouldBe(HttpStatusCode.Created);
        second.Headers.Location.ShouldNotBe(first.Headers.Location);
        third.Headers.Location.ShouldBe(second.Headers.Location);
        (await OrdersCreated(tenant)).ShouldBe(2);
        (await app.Db.ScalarAsync("SELECT count(*) FROM idempotency_keys WHERE tenant_id = $1", tenant)).ShouldBe(1);
    }

    [Fact]
    public async Task Keys_are_kept_for_the_configured_window()
    {
        var tenant = TestDatabase.NewTenant();
        using (var created = await Clerk(tenant).PostAsync("/api/orders", OrderApi.CreateBody, "k-window"))
            created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());

        (await app.Db.ScalarAsync(
            "SELECT extract(epoch FROM expires_at - created_at)::bigint FROM idempotency_keys WHERE tenant_id = $1", tenant))
            .ShouldBe((long)TimeSpan.FromHours(24).TotalSeconds);
    }
}

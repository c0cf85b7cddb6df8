using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ledger.Application.Audit;
using Ledger.Application.Orders;
using Ledger.Domain.Orders;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.EventStore.Chain;
using Ledger.Host.Auth;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests.Audit;

/// <summary>Issue 6, item 1: every command, accepted or refused, leaves exactly one audit entry in its tenant's chain.</summary>
public sealed class AuditTrailTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>
{
    private OrderApi As(string tenant, string role) => new(app.Client(), app.Tokens.For(tenant, role), tenant, app.Db.Store);

    [Fact]
    public async Task Accepted_command_leaves_one_success_entry_committed_with_its_events()
    {
        var tenant = TestDatabase.NewTenant();
        var orderId = await As(tenant, LedgerRoles.Clerk).CreateAsync();

        var chain = await app.Db.ChainAsync(tenant);
        chain.Count.ShouldBe(2);
        // The entry follows the events it records (Marten appends the handler's loaded stream first).
        var (created, audit) = (chain[0], chain[1]);
        created.StreamId.ShouldBe(OrderStreams.For(orderId));
        audit.IsAudit.ShouldBeTrue();
        audit.StreamId.ShouldBe(AuditStreams.For(OrderStreams.For(orderId)));
        // Same transaction (one tx id) and adjacent in the chain: the entry and the events commit together or not at all.
        audit.TxId.ShouldBe(created.TxId);
        audit.ChainSeq.ShouldBe(created.ChainSeq + 1);

        audit.Result.ShouldBe("success");
        audit.Status.ShouldBeNull(); // committed with the events, before the answer exists
        audit.Code.ShouldBeNull();
        audit.Action.ShouldBe("POST /api/orders");
        audit.Entity.ShouldBe(OrderStreams.For(orderId));
        audit.Actor.ShouldBe("tester");
        var streams = audit.Json.GetProperty("streams");
        streams.GetArrayLength().ShouldBe(1);
        streams[0].GetProperty("stream_id").GetString().ShouldBe(OrderStreams.For(orderId));
        streams[0].GetProperty("version").GetInt64().ShouldBe(1);
        JsonDocument.Parse(audit.Metadata).RootElement.GetProperty("correlation_id").GetString()
            .ShouldBe(JsonDocument.Parse(created.Metadata).RootElement.GetProperty("correlation_id").GetString());
    }

    [Fact]
    public async Task Audit_entries_decode_and_the_chain_with_them_verifies()
    {
        var tenant = TestDatabase.NewTenant();
        var clerk = As(tenant, LedgerRoles.Clerk);
        var orderId = await clerk.CreateAsync();
        (await clerk.PostAsync($"/api/orders/{orderId}/payments", """{"amount":"25.00","payment_reference":"p-1"}""")).Dispose();

        var trail = await app.Db.Store.ReadStreamAsync(tenant, AuditStreams.For(OrderStreams.For(orderId)));
        trail.Select(AuditEventCodec.Decode).Select(e => e.Result).ShouldBe([AuditResult.Success, AuditResult.Failure]);
        await app.Db.SealedAsync(); // the Host's sealer enters events a moment after they commit
        var verification = await new ChainVerifier(app.Db.AppDataSource).VerifyAsync(tenant, 1, null);
        verification.Succeeded.ShouldBeTrue();
        verification.EntriesChecked.ShouldBe(3);
    }

    [Fact]
    public async Task Wrong_role_leaves_one_failure_entry_and_nothing_else()
    {
        var tenant = TestDatabase.NewTenant();
        var accountant = As(tenant, LedgerRoles.Accountant);
        var orderId = Guid.NewGuid();

        using (var create = await accountant.PostAsync("/api/orders", OrderApi.CreateBody))
            await create.ShouldBeProblem(HttpStatusCode.Forbidden, "auth.forbidden");
        using (var pay = await accountant.PostAsync($"/api/orders/{orderId}/payments", """{"amount":"1","payment_reference":"x"}"""))
            await pay.ShouldBeProblem(HttpStatusCode.Forbidden, "auth.forbidden");

        var chain = await app.Db.ChainAsync(tenant);
        chain.ShouldAllBe(r => r.IsAudit);
        chain.Select(r => (r.Result, r.Status, r.Code, r.Action, r.Entity)).ShouldBe(
        [
            ("failure", (int?)403, "auth.forbidden", "POST /api/orders", "order"),
            ("failure", 403, "auth.forbidden", "POST /api/orders/{id}/payments", OrderStreams.For(orderId)),
        ]);
    }

    [Fact]
    public async Task Validation_error_leaves_one_failure_entry_with_its_code()
    {
        var tenant = TestDatabase.NewTenant();
        using var response = await As(tenant, LedgerRoles.Clerk).PostAsync("/api/orders",
            OrderApi.CreateBody.Replace("\"EUR\"", "\"eur\"", StringComparison.Ordinal));
        await response.ShouldBeProblem(HttpStatusCode.BadRequest, "validation.invalid_format");

        var chain = await app.Db.ChainAsync(tenant);
        chain.Count.ShouldBe(1);
        (chain[0].Result, chain[0].Status, chain[0].Code, chain[0].Entity).ShouldBe(("failure", (int?)400, "validation.invalid_format", "order"));
    }

    [Fact]
    public async Task Domain_refusal_leaves_one_failure_entry_and_no_event()
    {
        var tenant = TestDatabase.NewTenant();
        var clerk = As(tenant, LedgerRoles.Clerk);
        var orderId = await clerk.CreateAsync();

        using var response = await clerk.PostAsync($"/api/orders/{orderId}/fulfilment", "{}");
        await response.ShouldBeProblem(HttpStatusCode.UnprocessableEntity, OrderErrors.NotPaid);

        (await clerk.EventsAsync(orderId)).Count.ShouldBe(1);
        var audit = await app.Db.AuditEntriesAsync(tenant);
        audit.Count.ShouldBe(2);
        (audit[1].Result, audit[1].Status, audit[1].Code, audit[1].Action, audit[1].Entity)
            .ShouldBe(("failure", (int?)422, OrderErrors.NotPaid, "POST /api/orders/{id}/fulfilment", OrderStreams.For(orderId)));
        audit[1].Json.TryGetProperty("streams", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task Stale_if_match_leaves_one_conflict_entry_and_no_event()
    {
        var tenant = TestDatabase.NewTenant();
        var clerk = As(tenant, LedgerRoles.Clerk);
        var orderId = await clerk.CreateAsync();

        using var response = await clerk.PostAsync($"/api/orders/{orderId}/payment-requests", ifMatch: "\"7\"");
        await response.ShouldBeProblem(HttpStatusCode.Conflict, "concurrency.conflict");

        (await clerk.EventsAsync(orderId)).Count.ShouldBe(1);
        var audit = await app.Db.AuditEntriesAsync(tenant);
        (audit[^1].Result, audit[^1].Status, audit[^1].Code).ShouldBe(("failure", (int?)409, "concurrency.conflict"));
        audit.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Write_to_a_missing_order_leaves_one_not_found_entry()
    {
        var tenant = TestDatabase.NewTenant();
        var orderId = Guid.NewGuid();
        using var response = await As(tenant, LedgerRoles.Clerk).PostAsync($"/api/orders/{orderId}/payment-requests");
        await response.ShouldBeProblem(HttpStatusCode.NotFound, OrderErrors.NotFound);

        var chain = await app.Db.ChainAsync(tenant);
        chain.Count.ShouldBe(1);
        (chain[0].Result, chain[0].Status, chain[0].Code, chain[0].Entity).ShouldBe(("failure", (int?)404, OrderErrors.NotFound, OrderStreams.For(orderId)));
    }

    [Fact]
    public async Task Accepted_command_that_changes_nothing_leaves_one_success_entry_without_streams()
    {
        var tenant = TestDatabase.NewTenant();
        var clerk = As(tenant, LedgerRoles.Clerk);
        var orderId = await clerk.CreateAsync();
        (await clerk.PostAsync($"/api/orders/{orderId}/payment-requests")).Dispose();

        using var again = await clerk.PostAsync($"/api/orders/{orderId}/payment-requests");
        again.StatusCode.ShouldBe(HttpStatusCode.OK);

        (await clerk.EventsAsync(orderId)).Count.ShouldBe(2);
        var audit = await app.Db.AuditEntriesAsync(tenant);
        audit.Count.ShouldBe(3);
        (audit[2].Result, audit[2].Status, audit[2].Code).ShouldBe(("success", (int?)null, (string?)null));
        audit[2].Json.TryGetProperty("streams", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task Unauthenticated_write_is_in_no_chain()
    {
        var tenant = TestDatabase.NewTenant();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders")
        {
            Content = new StringContent(OrderApi.CreateBody, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", app.Tokens.Expired(tenant));
        using var response = await app.Client().SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await app.Db.ChainAsync(tenant)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Entries_carry_the_client_origin_and_no_personal_data_of_the_customer()
    {
        var tenant = TestDatabase.NewTenant();
        var client = app.Client();
        client.DefaultRequestHeaders.UserAgent.ParseAdd("ledger-e2e/1.0");
        var clerk = new OrderApi(client, app.Tokens.For(tenant, LedgerRoles.Clerk), tenant, app.Db.Store);
        var orderId = await clerk.CreateAsync();
        (await clerk.PostAsync($"/api/orders/{orderId}/cancellation", """{"reason":"Ada Lovelace moved to ada@example.org"}""")).Dispose();
        (await clerk.PostAsync("/api/orders", OrderApi.CreateBody.Replace("\"EUR\"", "\"eur\"", StringComparison.Ordinal))).Dispose();

        var audit = await app.Db.AuditEntriesAsync(tenant);
        audit.Count.ShouldBe(3);
        foreach (var entry in audit)
        {
            entry.Json.GetProperty("client").GetProperty("user_agent").GetString().ShouldBe("ledger-e2e/1.0");
            (entry.Data + entry.Metadata).ShouldNotContain("Lovelace", Case.Insensitive);
            (entry.Data + entry.Metadata).ShouldNotContain("example.org", Case.Insensitive);
            (entry.Data + entry.Metadata).ShouldNotContain("moved", Case.Insensitive);
        }
        // The order's own events do hold the customer's details, grouped apart: the audit entries only point at them.
        (await app.Db.ChainAsync(tenant)).Where(r => !r.IsAudit).ShouldContain(r => r.Data.Contains("Ada Lovelace"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Fifty_concurrent_payments_leave_one_entry_per_request_with_its_outcome(bool withIfMatch)
    {
        var tenant = TestDatabase.NewTenant();
        var clerk = As(tenant, LedgerRoles.Clerk);
        var orderId = await clerk.CreateAsync();
        (await clerk.PostAsync($"/api/orders/{orderId}/payment-requests")).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var start = new SemaphoreSlim(0);
        var payments = Enumerable.Range(0, 50).Select(async i =>
        {
            await start.WaitAsync();
            var reference = i % 2 == 0 ? "psp-same" : $"psp-{i}";
            using var response = await clerk.PostAsync($"/api/orders/{orderId}/payments",
                $$"""{"amount":"25.00","payment_reference":"{{reference}}"}""", ifMatch: withIfMatch ? "\"2\"" : null);
            var code = response.IsSuccessStatusCode ? null : (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();
            return ((int)response.StatusCode, code);
        }).ToList();
        start.Release(payments.Count);
        var answers = await Task.WhenAll(payments);

        answers.ShouldContain(a => a.Item1 == 200);
        var recorded = (await app.Db.AuditEntriesAsync(tenant)).Where(e => e.Action == "POST /api/orders/{id}/payments").ToList();
        recorded.Count.ShouldBe(50);
        recorded.Select(e => (e.Status ?? 200, e.Code)).Order().ShouldBe(answers.Order());
        recorded.Where(e => e.Status == null).ShouldAllBe(e => e.Result == "success" && e.Code == null);
        recorded.Where(e => e.Status != null).ShouldAllBe(e => e.Result == "failure" && e.Code != null);
        // Exactly one of them carries the payment event, committed with it.
        var paid = (await clerk.EventsAsync(orderId)).Single(e => e.EventType == OrderEventCodec.Paid);
        var chain = await app.Db.ChainAsync(tenant);
        var withEvents = recorded.Where(e => e.Json.TryGetProperty("streams", out _)).ToList();
        withEvents.Count.ShouldBe(1);
        withEvents[0].ChainSeq.ShouldBe(paid.ChainSeq + 1);
        chain.Single(r => r.ChainSeq == paid.ChainSeq).TxId.ShouldBe(withEvents[0].TxId);
    }
}

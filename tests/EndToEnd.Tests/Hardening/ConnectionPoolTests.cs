using System.Net;
using Ledger.Application.Orders;
using Ledger.EndToEnd.Tests.Audit;
using Ledger.EndToEnd.Tests.Idempotency;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.Host.Configuration;
using Ledger.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ledger.EndToEnd.Tests.Hardening;

/// <summary>
/// Issue 12, section 1: a write holds one connection at a time, so keyed writes beyond the pool's size queue for it
/// instead of each holding one while waiting for a second; and when the database really cannot be reached in time
/// the answer is 503 <c>service.unavailable</c> with <c>Retry-After</c>, never a 500.
/// </summary>
public sealed class ConnectionPoolTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>
{
    private string SmallPool(int size, int timeoutSeconds) =>
        new NpgsqlConnectionStringBuilder(app.Db.AppConnectionString) { MaxPoolSize = size, Timeout = timeoutSeconds }.ConnectionString;

    [Fact]
    public async Task Keyed_creates_far_beyond_the_pool_size_all_succeed()
    {
        await using var host = await app.With(new() { ["ConnectionStrings:Ledger"] = SmallPool(size: 6, timeoutSeconds: 5) });
        var tenant = TestDatabase.NewTenant();
        var clerk = new IdempotentClient(host.Client(), app.Tokens.For(tenant, LedgerRoles.Clerk));

        using var start = new SemaphoreSlim(0);
        var creates = Enumerable.Range(0, 60).Select(async i =>
        {
            await start.WaitAsync();
            using var response = await clerk.PostAsync("/api/orders", OrderApi.CreateBody, $"pool-{i}");
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }).ToList();
        start.Release(creates.Count);
        var answers = await Task.WhenAll(creates);

        answers.Where(a => a.Item1 != 201).ShouldBeEmpty();
        (await app.Db.ScalarAsync("SELECT count(*) FROM ledger_records WHERE tenant_id = $1 AND event_type = $2", tenant, OrderEventCodec.Created)).ShouldBe(60);
        (await app.Db.ScalarAsync("SELECT count(*) FROM idempotency_keys WHERE tenant_id = $1 AND status_code = 201", tenant)).ShouldBe(60);
    }

    [Fact]
    public async Task With_every_connection_taken_reads_and_writes_are_503_with_retry_after()
    {
        await using var host = await app.With(new() { ["ConnectionStrings:Ledger"] = SmallPool(size: 4, timeoutSeconds: 1) });
        var tenant = TestDatabase.NewTenant();
        var client = host.Client();
        var clerk = new IdempotentClient(client, app.Tokens.For(tenant, LedgerRoles.Clerk));
        using (var warm = await clerk.PostAsync("/api/orders", OrderApi.CreateBody, "before"))
            warm.StatusCode.ShouldBe(HttpStatusCode.Created, await warm.Content.ReadAsStringAsync());

        var pool = host.Services.GetRequiredService<LedgerDataSources>().App;
        var held = new List<NpgsqlConnection>();
        try
        {
            // Take what the pool has left; the background services may hold some already.
            while (true)
            {
                try { held.Add(await pool.OpenConnectionAsync()); }
                catch (NpgsqlException) { break; }
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/orders/{Guid.NewGuid()}");
            request.Headers.Authorization = new("Bearer", app.Tokens.For(tenant, LedgerRoles.Clerk));
            using var read = await client.SendAsync(request);
            await read.ShouldBeProblem(HttpStatusCode.ServiceUnavailable, "service.unavailable");
            int.Parse(read.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(0);

            foreach (var key in new[] { "during", null })
            {
                using var write = await clerk.PostAsync("/api/orders", OrderApi.CreateBody, key);
                await write.ShouldBeProblem(HttpStatusCode.ServiceUnavailable, "service.unavailable");
                write.Headers.Contains("Retry-After").ShouldBeTrue();
            }
        }
        finally
        {
            foreach (var connection in held) await connection.DisposeAsync();
        }

        using var after = await clerk.PostAsync("/api/orders", OrderApi.CreateBody, "during");
        after.StatusCode.ShouldBe(HttpStatusCode.Created, "the refused key was not claimed: its retry runs");
    }
}

using System.Net;
using Alba;
using Ledger.EndToEnd.Tests.Audit;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.EndToEnd.Tests.Idempotency;

/// <summary><c>Ledger:Idempotency</c>: the window is configurable, and expired keys are purged in the background.</summary>
public sealed class IdempotencyWindowTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>
{
    // The first host's key object is shared, not reloaded: see IdempotencyKeyTests (two hosts) for why.
    private Task<IAlbaHost> WithSettings(string window, string purgeInterval) =>
        app.HostWith(host => host
            .ConfigureAppConfiguration((_, c) => c.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Ledger:Idempotency:Window"] = window,
                ["Ledger:Idempotency:PurgeInterval"] = purgeInterval,
            }))
            .ConfigureTestServices(services => services.AddSingleton(app.Host.Services.GetRequiredService<LedgerSigningKeys>())));

    [Fact]
    public async Task Window_comes_from_configuration()
    {
        await using var host = await WithSettings("00:30:00", "00:15:00");
        var tenant = TestDatabase.NewTenant();
        var clerk = new IdempotentClient(host.Client(), app.Tokens.For(tenant, LedgerRoles.Clerk));

        (await clerk.PostAsync("/api/orders", OrderApi.CreateBody, "k-30min")).StatusCode.ShouldBe(HttpStatusCode.Created);

        (await app.Db.ScalarAsync(
            "SELECT extract(epoch FROM expires_at - created_at)::bigint FROM idempotency_keys WHERE tenant_id = $1", tenant))
            .ShouldBe(30 * 60);
    }

    [Fact]
    public async Task Expired_keys_are_purged_and_live_ones_kept()
    {
        var tenant = TestDatabase.NewTenant();
        await app.Db.ScalarAsync("""
            WITH added AS (
              INSERT INTO idempotency_keys (tenant_id, idempotency_key, request_hash, status_code, response_headers, response_body, created_at, expires_at)
              VALUES ($1, 'old', decode(repeat('00', 32), 'hex'), 201, '[]', '', now() - interval '2 days', now() - interval '1 day'),
                     ($1, 'live', decode(repeat('00', 32), 'hex'), 201, '[]', '', now(), now() + interval '1 day')
              RETURNING 1)
            SELECT count(*) FROM added
            """, tenant);

        await using var host = await WithSettings("1.00:00:00", "00:00:01"); // started, and with it the purge

        await Eventually.Until(
            () => app.Db.ScalarAsync("SELECT count(*) FROM idempotency_keys WHERE tenant_id = $1 AND idempotency_key = 'old'", tenant),
            left => left == 0, TimeSpan.FromSeconds(30), "the expired key to be purged");
        (await app.Db.ScalarAsync("SELECT count(*) FROM idempotency_keys WHERE tenant_id = $1", tenant)).ShouldBe(1);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("-01:00:00")]
    public async Task A_window_that_is_not_positive_stops_start_up(string window)
    {
        (await Should.ThrowAsync<Exception>(() => WithSettings(window, "00:15:00"))).ToString().ShouldContain("Ledger:Idempotency");
    }
}

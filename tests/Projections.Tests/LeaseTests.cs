using Ledger.Projections.Tests.Infrastructure;
using Ledger.TestSupport;

namespace Ledger.Projections.Tests;

/// <summary>Two daemons on one schema: each projection runs in exactly one of them, and the other takes over when it dies.</summary>
public sealed class LeaseTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await ProjectionDb.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Each_projection_is_held_by_one_daemon_and_taken_over_within_seconds_when_it_dies()
    {
        var tenant = TestDatabase.NewTenant();
        var names = ProjectionDb.AllWithTestLog.Select(p => p.Name).ToHashSet();
        var one = DaemonHarness.Start(_db, "one");
        await using var two = DaemonHarness.Start(_db, "two");
        await Eventually.Until(() => Task.FromResult(one.Daemon.Held.Concat(two.Daemon.Held).ToHashSet()),
            held => held.SetEquals(names), TimeSpan.FromSeconds(10), "all projections to be held");

        // While both run and events keep coming, no projection is ever held by both.
        for (var sample = 0; sample < 40; sample++)
        {
            await OrderHistory.AppendOrdersAsync(_db.Store, tenant, 5, seed: sample);
            one.Daemon.Held.Intersect(two.Daemon.Held).ShouldBeEmpty();
            var owners = await _db.AdminDataSource.ScalarAsync<long>("""
                SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
                   AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                   AND ((classid::bigint << 32) | objid::bigint) = ANY($1)
                """, names.Select(n => Daemon.ProjectionLeases.Key(_db.Schema, Daemon.ProjectionLeases.Live(n))).ToArray());
            owners.ShouldBe(names.Count);
        }
        await _db.CaughtUpAsync(names);

        var killedAt = DateTime.UtcNow;
        await one.KillAsync();
        await Eventually.Until(() => Task.FromResult(two.Daemon.Held.ToHashSet()), held => held.SetEquals(names),
            TimeSpan.FromSeconds(5), "the survivor to take every projection");
        var takeover = DateTime.UtcNow - killedAt;
        takeover.ShouldBeLessThan(TimeSpan.FromSeconds(5));

        await OrderHistory.AppendOrdersAsync(_db.Store, tenant, 20, seed: 99);
        await _db.CaughtUpAsync(names);
        (await _db.AdminDataSource.ScalarAsync<string>("SELECT owner FROM projection_checkpoints WHERE name = 'orders' AND generation = 1")).ShouldBe("two");
    }
}

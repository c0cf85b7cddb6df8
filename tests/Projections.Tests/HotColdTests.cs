using Ledger.Projections.OnMarten;
using Ledger.Projections.Orders;
using Ledger.Projections.Tests.Infrastructure;
using Ledger.TestSupport;

namespace Ledger.Projections.Tests;

/// <summary>
/// Two processes on one schema, as two Hosts: Marten's daemon runs HotCold, so every projection runs in exactly one of
/// them (Marten takes a lock per shard, so the two may share the projections between them), and the survivor takes
/// over a dead one's within seconds; another schema's daemon is not held back by them.
/// </summary>
public sealed class HotColdTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await ProjectionDb.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Each_projection_runs_in_one_process_and_the_survivor_takes_over_within_seconds_when_one_dies()
    {
        var tenant = TestDatabase.NewTenant();
        var names = ProjectionDb.AllWithTestLog.Select(p => p.Name).ToHashSet();
        var one = DaemonHarness.Start(_db, "one");
        await using var two = DaemonHarness.Start(_db, "two");
        await Eventually.Until(() => Task.FromResult(one.Running.Concat(two.Running).ToHashSet()),
            running => running.SetEquals(names), TimeSpan.FromSeconds(30), "every projection to run");

        // While both run and events keep coming, no projection runs in both, and every event is applied once (the
        // test projection fails on a second application).
        for (var sample = 0; sample < 20; sample++)
        {
            await OrderHistory.AppendOrdersAsync(_db.Store, tenant, 5, seed: sample);
            var (inOne, inTwo) = (one.Running, two.Running);
            inOne.Intersect(inTwo).ShouldBeEmpty($"sample {sample}: one runs {string.Join(", ", inOne)}, two runs {string.Join(", ", inTwo)}");
        }
        await _db.CaughtUpAsync(names);

        var (dying, survivor) = one.Running.Count > 0 ? (one, two) : (two, one);
        var killedAt = DateTime.UtcNow;
        await dying.KillAsync();
        await Eventually.Until(() => Task.FromResult(survivor.Running.ToHashSet()), running => running.SetEquals(names),
            TimeSpan.FromSeconds(15), "the survivor to run every projection");
        var takeover = DateTime.UtcNow - killedAt;
        takeover.ShouldBeLessThan(TimeSpan.FromSeconds(15));

        await OrderHistory.AppendOrdersAsync(_db.Store, tenant, 20, seed: 99);
        await _db.CaughtUpAsync(names);
        (await _db.AdminDataSource.ScalarAsync<long>("SELECT count(*) FROM test_event_log_g1"))
            .ShouldBe(await _db.AdminDataSource.ScalarAsync<long>("SELECT count(*) FROM mt_events"));
        if (ReferenceEquals(dying, two)) await one.DisposeAsync();
    }

    [Fact]
    public async Task A_daemon_on_another_schema_leads_its_own_schema_meanwhile()
    {
        await using var other = await ProjectionDb.CreateAsync();
        await using var here = DaemonHarness.Start(_db, "here", [new OrdersProjection()]);
        await using var there = DaemonHarness.Start(other, "there", [new OrdersProjection()]);
        await Eventually.Until(() => Task.FromResult(here.Running.Count + there.Running.Count), n => n == 2,
            TimeSpan.FromSeconds(30), "each schema's daemon to lead its own schema");
    }
}

using System.Text.Json;
using Ledger.EventStore;
using Ledger.Projections.OnMarten;
using Ledger.Projections.Tests.Infrastructure;
using Ledger.TestSupport;

namespace Ledger.Projections.Tests;

/// <summary>
/// A holder dies mid-batch or mid-catch-up; another takes over. Every read model must then equal one built from
/// scratch, row by row, and the test projection (which fails on a second application of any event) must have logged
/// each event exactly once.
/// </summary>
public sealed class CrashRecoveryTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await ProjectionDb.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Given_a_batch_half_applied_When_its_holder_dies_Then_the_next_holder_applies_it_once()
    {
        var tenant = TestDatabase.NewTenant();
        await using var blocker = await Blocker.HoldAsync(_db);
        await OrderHistory.AppendOrdersAsync(_db.Store, tenant, 100, perAppend: 10, seed: 2);
        await _db.Store.AppendAsync(tenant, [TestEvents.To("blocker", ExpectedVersion.NoStream,
            TestEvents.Event("test.blocker", new { block = blocker.Key }))]);
        await OrderHistory.AppendOrdersAsync(_db.Store, tenant, 100, perAppend: 10, seed: 3);

        var first = DaemonHarness.Start(_db, "first");
        await blocker.WaitUntilBlockingAsync(_db, first.ApplicationName);
        var before = await _db.LiveStateAsync(EventLogProjection.ProjectionName);
        await first.KillAsync();
        await blocker.DisposeAsync();

        // The killed page committed nothing: Marten's progress did not move, and no row of it is in the log.
        (await _db.LiveStateAsync(EventLogProjection.ProjectionName)).Position.ShouldBe(before.Position);
        (await LoggedAsync()).ShouldBe(await EventsUpToAsync(before.Position));

        await using var second = DaemonHarness.Start(_db, "second");
        await _db.CaughtUpAsync(ProjectionDb.AllWithTestLog.Select(p => p.Name));
        await ShouldMatchFromScratchAsync();
    }

    [Fact]
    public async Task Given_a_large_catch_up_When_its_holder_is_killed_midway_Then_the_taker_over_ends_equal_to_a_rebuild()
    {
        var (a, b) = (TestDatabase.NewTenant("a"), TestDatabase.NewTenant("b"));
        var events = await OrderHistory.AppendOrdersAsync(_db.Store, a, 4000, perAppend: 50, seed: 4)
                     + await OrderHistory.AppendOrdersAsync(_db.Store, b, 4000, perAppend: 50, seed: 5);
        events.ShouldBeGreaterThan(18000);

        var options = DaemonHarness.Fast();
        options.BatchSize = 200;
        var first = DaemonHarness.Start(_db, "first", options: options);
        var names = ProjectionDb.AllWithTestLog.Select(p => p.Name).ToArray();
        var shards = names.Select(ProjectionShards.Live).ToArray();
        await Eventually.Until(() => _db.AdminDataSource.ScalarAsync<long>(
                "SELECT CASE WHEN count(*) = $2 THEN min(last_seq_id) ELSE 0 END FROM mt_event_progression WHERE name = ANY($1)", shards, (long)shards.Length),
            n => n >= 4000, TimeSpan.FromSeconds(60), "every projection to be part-way through");
        await first.KillAsync();
        var atKill = await _db.AdminDataSource.ScalarAsync<long>("SELECT max(last_seq_id) FROM mt_event_progression WHERE name = ANY($1)", (object)shards);
        atKill.ShouldBeLessThan(await _db.HeadAsync(), "the kill should land in the middle of the catch-up");

        await using var second = DaemonHarness.Start(_db, "second");
        await _db.CaughtUpAsync(ProjectionDb.AllWithTestLog.Select(p => p.Name), TimeSpan.FromSeconds(120));
        await ShouldMatchFromScratchAsync();
    }

    private async Task ShouldMatchFromScratchAsync()
    {
        foreach (var projection in ProjectionDb.AllWithTestLog)
        {
            var scratch = await GenerationCompare.BuildFromScratchAsync(_db, projection);
            var (differences, rows) = await GenerationCompare.CompareAsync(_db, projection.Name, 1, scratch);
            rows.ShouldBeGreaterThan(0, projection.Name);
            differences.ShouldBe(0, $"{projection.Name}: rows differ from a from-scratch build");
        }
        // Exactly once: every event logged (none lost), and none twice (a second insert would have failed the projection).
        (await LoggedAsync()).ShouldBe(await EventsUpToAsync(await _db.HeadAsync()));
        (await _db.AdminDataSource.ScalarAsync<decimal>("SELECT sum(events) FROM test_event_counts_g1")).ShouldBe(await LoggedAsync());
    }

    private Task<long> LoggedAsync() => _db.AdminDataSource.ScalarAsync<long>("SELECT count(*) FROM test_event_log_g1");

    private Task<long> EventsUpToAsync(long position) => _db.AdminDataSource.ScalarAsync<long>(
        "SELECT count(*) FROM mt_events WHERE seq_id <= $1", position);
}

using System.Collections.Concurrent;
using Ledger.EventStore;
using Ledger.EventStore.Chain;
using Ledger.TestSupport;
using Npgsql;
using Shouldly;
using static Ledger.TestSupport.TestEvents;

namespace Ledger.EventStore.Tests.Store;

/// <summary>
/// Concurrent appends of one tenant grouped into one transaction (PostgresEventStoreOptions.GroupConcurrentAppends)
/// keep each append's own check, outcome and atomicity, and the chain stays gapless.
/// </summary>
public sealed class GroupedAppendTests : IAsyncLifetime
{
    private TestDatabase db = null!;
    private PostgresEventStore store = null!;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync();
        store = new PostgresEventStore(db.AppDataSource, new() { GroupConcurrentAppends = true });
    }

    public async Task DisposeAsync() => await db.DisposeAsync();

    [Fact]
    public async Task Concurrent_appends_of_one_tenant_are_grouped_and_every_one_lands_once_in_a_gapless_chain()
    {
        var tenant = TestDatabase.NewTenant("hot");
        const int writers = 12, each = 40;
        var results = new ConcurrentBag<(Guid EventId, AppendResult Result)>();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++)
            {
                var e = Event();
                var result = await store.AppendAsync(tenant, [To($"w{w}", ExpectedVersion.Exactly(i), e)]);
                result.StreamVersions[$"w{w}"].ShouldBe(i + 1);
                results.Add((e.EventId, result));
            }
        })));

        var all = await Stored(tenant);
        all.Count.ShouldBe(writers * each);
        results.Select(r => r.Result.LastChainSeq).Distinct().Count().ShouldBe(writers * each);
        foreach (var (eventId, result) in results)
        {
            var stored = all[eventId];
            stored.Position.ShouldBe(result.LastPosition);
            stored.ChainSeq.ShouldBe(result.LastChainSeq);
        }
        (await new ChainVerifier(db.AppDataSource).VerifyAsync(tenant)).Succeeded.ShouldBeTrue();
        all.Values.Select(e => e.Position.TxId).Distinct().Count().ShouldBeLessThan(writers * each, "some appends were grouped");
    }

    [Fact]
    public async Task Of_racing_appends_to_one_new_stream_one_wins_and_each_loser_gets_its_own_conflict_and_writes_nothing()
    {
        var tenant = TestDatabase.NewTenant("race");
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            try
            {
                await store.AppendAsync(tenant, [To("contested", ExpectedVersion.NoStream, Event(), Event())]);
                return (Exception?)null;
            }
            catch (ConcurrencyException e)
            {
                return e;
            }
        })));
        outcomes.Count(o => o is null).ShouldBe(1);
        outcomes.OfType<ConcurrencyException>().ShouldAllBe(e => e.StreamId == "contested" && e.ActualVersion == 2 && e.Expected == ExpectedVersion.NoStream);
        (await store.ReadStreamAsync(tenant, "contested")).Count.ShouldBe(2);
        var verification = await new ChainVerifier(db.AppDataSource).VerifyAsync(tenant);
        verification.Succeeded.ShouldBeTrue();
        verification.EntriesChecked.ShouldBe(2);
    }

    [Fact]
    public async Task A_refused_append_in_a_group_leaves_none_of_its_streams_written_while_the_others_go_on()
    {
        var tenant = TestDatabase.NewTenant("mixed");
        await store.AppendAsync(tenant, [To("taken", ExpectedVersion.NoStream, Event())]);
        var tasks = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            if (i % 4 == 0)
            {
                // Two streams, the second of which does not hold: neither is written.
                var refused = await Should.ThrowAsync<ConcurrencyException>(() => store.AppendAsync(tenant,
                    [To($"fresh-{i}", ExpectedVersion.NoStream, Event()), To("taken", ExpectedVersion.NoStream, Event())]));
                refused.StreamId.ShouldBe("taken");
                refused.ActualVersion.ShouldBe(1);
                return;
            }
            await store.AppendAsync(tenant, [To($"ok-{i}", ExpectedVersion.NoStream, Event(), Event())]);
        })).ToArray();
        await Task.WhenAll(tasks);

        var all = await Stored(tenant);
        all.Values.ShouldNotContain(e => e.StreamId.StartsWith("fresh-", StringComparison.Ordinal));
        all.Count.ShouldBe(1 + 15 * 2);
        (await new ChainVerifier(db.AppDataSource).VerifyAsync(tenant)).Succeeded.ShouldBeTrue();
        await using var versions = db.AdminDataSource.CreateCommand("SELECT count(*) FROM streams WHERE stream_id LIKE 'fresh-%'");
        ((long)(await versions.ExecuteScalarAsync())!).ShouldBe(0);
    }

    [Fact]
    public async Task A_duplicate_event_id_fails_only_the_append_that_carries_it()
    {
        var tenant = TestDatabase.NewTenant("dup");
        var reused = Event();
        await store.AppendAsync(tenant, [To("first", ExpectedVersion.NoStream, reused)]);
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(async () =>
        {
            try
            {
                var e = i % 3 == 0 ? reused : Event();
                await store.AppendAsync(tenant, [To($"s-{i}", ExpectedVersion.NoStream, e)]);
                return (i, (Exception?)null);
            }
            catch (PostgresException e)
            {
                return (i, e);
            }
        })));
        foreach (var (i, error) in outcomes)
        {
            if (i % 3 == 0) error.ShouldBeOfType<PostgresException>().SqlState.ShouldBe(PostgresErrorCodes.UniqueViolation);
            else error.ShouldBeNull();
        }
        (await Stored(tenant)).Count.ShouldBe(1 + 8);
        (await new ChainVerifier(db.AppDataSource).VerifyAsync(tenant)).Succeeded.ShouldBeTrue();
    }

    [Fact]
    public async Task Appends_to_the_same_stream_in_one_group_see_each_other_in_order()
    {
        var tenant = TestDatabase.NewTenant("seq");
        // Any: the store resolves the version, loses races inside a group, re-reads and retries; all land, in order.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => store.AppendAsync(tenant, [To("shared", ExpectedVersion.Any, Event())]))));
        var events = await store.ReadStreamAsync(tenant, "shared");
        events.Select(e => e.StreamVersion).ShouldBe(Enumerable.Range(1, 4).Select(v => (long)v));
        (await new ChainVerifier(db.AppDataSource).VerifyAsync(tenant)).Succeeded.ShouldBeTrue();
    }

    // Straight from the table: ReadAll would wait for transactions of other tests running in parallel.
    private async Task<Dictionary<Guid, (GlobalPosition Position, long ChainSeq, string StreamId)>> Stored(string tenant)
    {
        await using var command = db.AdminDataSource.CreateCommand(
            "SELECT event_id, (tx_id::text)::bigint, seq, chain_seq, stream_id FROM events WHERE tenant_id = $1");
        command.Parameters.Add(new() { Value = tenant });
        var stored = new Dictionary<Guid, (GlobalPosition, long, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            stored[reader.GetGuid(0)] = (new GlobalPosition((ulong)reader.GetInt64(1), reader.GetInt64(2)), reader.GetInt64(3), reader.GetString(4));
        return stored;
    }
}

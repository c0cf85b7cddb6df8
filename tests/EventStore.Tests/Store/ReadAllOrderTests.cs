using System.Collections.Concurrent;
using Ledger.EventStore;
using Ledger.TestSupport;
using static Ledger.TestSupport.TestEvents;

namespace Ledger.EventStore.Tests.Store;

/// <summary>
/// "Everything after a position" never skips a committed event, even when transactions commit in another
/// order than they started: the reader is raced against appenders and every event is counted.
/// </summary>
public sealed class ReadAllOrderTests : IAsyncLifetime
{
    private TestDatabase db = null!;
    public async Task InitializeAsync() => db = await TestDatabase.CreateAsync();
    public async Task DisposeAsync() => await db.DisposeAsync();

    [Fact]
    public async Task A_reader_racing_concurrent_appenders_across_tenants_sees_every_event_exactly_once_in_stream_order()
    {
        const int appenders = 6, appendsEach = 120;
        var tenants = Enumerable.Range(0, 4).Select(i => TestDatabase.NewTenant($"race{i}")).ToArray();
        var appended = new ConcurrentDictionary<Guid, (string Tenant, string Stream)>();
        var expectedCount = -1; // set once the writers are done
        var position = GlobalPosition.Start;

        // An empty page proves nothing (another transaction in the server may hold readers back), so the
        // reader follows until it has as many events as were appended, then checks nothing more arrives.
        var reader = Task.Run(async () =>
        {
            var seen = new List<RecordedEvent>();
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (DateTime.UtcNow < deadline)
            {
                var target = Volatile.Read(ref expectedCount);
                if (target >= 0 && seen.Count >= target) break;
                var page = await db.Store.ReadAllAsync(position, 50);
                seen.AddRange(page);
                if (page.Count > 0) position = page[^1].Position;
                else await Task.Delay(5);
            }
            return seen;
        });

        var writers = Enumerable.Range(0, appenders).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (var i = 0; i < appendsEach; i++)
            {
                var tenant = tenants[random.Next(tenants.Length)];
                var stream = $"stream-{random.Next(5)}";
                var events = Enumerable.Range(0, random.Next(1, 4)).Select(_ => Event()).ToArray();
                await db.Store.AppendAsync(tenant, [To(stream, ExpectedVersion.Any, events)]);
                foreach (var e in events) appended[e.EventId] = (tenant, stream);
            }
        })).ToArray();

        await Task.WhenAll(writers);
        Volatile.Write(ref expectedCount, appended.Count);
        var seen = await reader;
        (await db.Store.ReadAllAsync(position, 50)).ShouldBeEmpty();

        seen.Select(e => e.EventId).ShouldBeUnique();
        seen.Count.ShouldBe(appended.Count);
        seen.Select(e => e.EventId).ToHashSet().SetEquals(appended.Keys).ShouldBeTrue();
        for (var i = 1; i < seen.Count; i++) seen[i].Position.ShouldBeGreaterThan(seen[i - 1].Position);
        foreach (var stream in seen.GroupBy(e => (e.TenantId, e.StreamId)))
            stream.Select(e => e.StreamVersion).ShouldBe(Enumerable.Range(1, stream.Count()).Select(v => (long)v));
        foreach (var tenant in seen.GroupBy(e => e.TenantId))
            tenant.Select(e => e.ChainSeq).Order().ShouldBe(Enumerable.Range(1, tenant.Count()).Select(v => (long)v));
    }

    [Fact]
    public async Task A_reader_does_not_move_past_an_open_append_and_sees_it_once_it_commits()
    {
        var tenant = TestDatabase.NewTenant("held");
        await db.Store.AppendAsync(tenant, [To("before", ExpectedVersion.NoStream, Event())]);
        // Readers wait for every older transaction in the server, other tests' included: poll, don't assume.
        var start = await Eventually.Until(() => ReadEverything(GlobalPosition.Start), page => page.Count >= 1);
        start.Count.ShouldBe(1);
        var position = start[^1].Position;

        await using var held = await db.AppDataSource.OpenConnectionAsync();
        await using var tx = await held.BeginTransactionAsync();
        var heldEvent = Event("test.held");
        await db.EventStore.AppendAsync(tx, tenant, [To("held", ExpectedVersion.NoStream, heldEvent)]);

        var later = Enumerable.Range(0, 3).Select(_ => Event("test.later")).ToArray();
        foreach (var (e, i) in later.Select((e, i) => (e, i)))
            await db.EventStore.AppendAsync(TestDatabase.NewTenant($"later{i}"), [To("later", ExpectedVersion.NoStream, e)]); // not sealed yet: held back

        // The later appends have committed, but an older transaction is still open: nothing may be read past it.
        (await ReadEverything(position)).ShouldBeEmpty();

        await tx.CommitAsync();
        var after = await Eventually.Until(() => ReadEverything(position), page => page.Count >= 4, what: "the held and later events");
        after.Select(e => e.EventId).ShouldBe([heldEvent.EventId, .. later.Select(e => e.EventId)]);
    }

    [Fact]
    public async Task A_rolled_back_append_is_never_read_and_does_not_hold_readers_back()
    {
        var tenant = TestDatabase.NewTenant("rollback");
        await using (var connection = await db.AppDataSource.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await db.EventStore.AppendAsync(tx, tenant, [To("gone", ExpectedVersion.NoStream, Event())]);
            await tx.RollbackAsync();
        }
        var kept = Event();
        await db.Store.AppendAsync(tenant, [To("kept", ExpectedVersion.NoStream, kept)]);

        var all = await Eventually.Until(() => ReadEverything(GlobalPosition.Start), page => page.Count >= 1);
        all.Select(e => e.EventId).ShouldBe([kept.EventId]);
        all.Single().ChainSeq.ShouldBe(1);
    }

    private async Task<List<RecordedEvent>> ReadEverything(GlobalPosition after)
    {
        var all = new List<RecordedEvent>();
        while (true)
        {
            var page = await db.Store.ReadAllAsync(after, 100);
            if (page.Count == 0) return all;
            all.AddRange(page);
            after = page[^1].Position;
        }
    }
}

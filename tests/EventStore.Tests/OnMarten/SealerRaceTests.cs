using System.Collections.Concurrent;
using Ledger.EventStore;
using Ledger.EventStore.Chain;
using Ledger.TestSupport;
using static Ledger.TestSupport.TestEvents;

namespace Ledger.EventStore.Tests.OnMarten;

/// <summary>
/// The race of issue 13 against Marten: appenders across tenants, a reader following the sealed ledger, one
/// transaction held open for seconds while later events commit, one rolled back. Every committed event is sealed once
/// and read once, the held one included; nothing of the rolled-back one appears; every chain recomputes.
/// </summary>
public sealed class SealerRaceTests : IAsyncLifetime
{
    private TestDatabase _ledger = null!;

    public async Task InitializeAsync() => _ledger = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _ledger.DisposeAsync();

    [Fact]
    public async Task A_held_and_a_rolled_back_transaction_among_racing_appenders_leave_no_event_skipped_or_sealed_twice()
    {
        const int appenders = 6, appendsEach = 60;
        var store = _ledger.EventStore;
        var tenants = Enumerable.Range(0, 4).Select(i => TestDatabase.NewTenant($"race{i}")).ToArray();
        var appended = new ConcurrentDictionary<Guid, string>();
        var expectedCount = -1;

        var reader = Task.Run(async () =>
        {
            var seen = new List<RecordedEvent>();
            var position = GlobalPosition.Start;
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (DateTime.UtcNow < deadline)
            {
                var target = Volatile.Read(ref expectedCount);
                if (target >= 0 && seen.Count >= target) break;
                var page = await store.ReadAllAsync(position, 50);
                seen.AddRange(page);
                if (page.Count > 0) position = page[^1].Position;
                else await Task.Delay(5);
            }
            return seen;
        });

        // Held: its seq_id is drawn first, and it commits seconds after everything drawn later.
        var held = Event("test.held");
        var holding = Task.Run(async () =>
        {
            await using var connection = await _ledger.AppDataSource.OpenConnectionAsync();
            await using var tx = await connection.BeginTransactionAsync();
            await store.AppendAsync(tx, tenants[0], [To("held", ExpectedVersion.NoStream, held)]);
            await Task.Delay(TimeSpan.FromSeconds(4));
            await tx.CommitAsync();
            appended[held.EventId] = tenants[0];
        });
        await Task.Delay(200);
        var rolledBack = Event("test.later");
        await using (var connection = await _ledger.AppDataSource.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await store.AppendAsync(tx, tenants[1], [To("rolled-back", ExpectedVersion.NoStream, rolledBack)]);
            await tx.RollbackAsync();
        }

        var writers = Enumerable.Range(0, appenders).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (var i = 0; i < appendsEach; i++)
            {
                var tenant = tenants[random.Next(tenants.Length)];
                var events = Enumerable.Range(0, random.Next(1, 4)).Select(_ => Event()).ToArray();
                await store.AppendAsync(tenant, [To($"stream-{random.Next(5)}", ExpectedVersion.Any, events)]);
                foreach (var e in events) appended[e.EventId] = tenant;
            }
        })).ToArray();

        await Task.WhenAll([.. writers, holding]);
        Volatile.Write(ref expectedCount, appended.Count);
        var seen = await reader;
        await _ledger.SealedAsync();
        seen.AddRange(await store.ReadAllAsync(seen.Count > 0 ? seen[^1].Position : GlobalPosition.Start, 1000));

        seen.Count.ShouldBe(appended.Count, "every committed event read once, nothing more");
        seen.Select(e => e.EventId).Distinct().Count().ShouldBe(seen.Count, "no event read twice");
        var heldSeq = seen.Single(e => e.EventId == held.EventId).Position.Seq;
        seen.Count(e => e.Position.Seq > heldSeq).ShouldBeGreaterThan(100, "the held event drew its seq_id before events that committed seconds earlier");
        seen.Select(e => e.EventId).ShouldNotContain(rolledBack.EventId);
        seen.Select(e => e.Position.Seq).ShouldBeInOrder();
        foreach (var chain in seen.GroupBy(e => e.TenantId))
        {
            var entries = chain.OrderBy(e => e.ChainSeq).ToList();
            entries.Select(e => e.ChainSeq).ShouldBe(Enumerable.Range(1, entries.Count).Select(i => (long)i), $"{chain.Key}: gapless from 1");
            var previous = LedgerRecord.GenesisHash;
            foreach (var e in entries)
            {
                LedgerRecord.EntryHash(e.TenantId, e.StreamId, e.StreamVersion, e.EventId, e.EventType, e.TypeVersion, e.OccurredAt,
                    e.Data, LedgerRecord.MetadataJson(e.Metadata)).ShouldBe(e.EntryHash);
                LedgerRecord.Link(previous, e.EntryHash).ShouldBe(e.ChainHash);
                previous = e.ChainHash;
            }
        }
        await using var counts = _ledger.AdminDataSource.CreateCommand(
            "SELECT (SELECT count(*) FROM mt_events), (SELECT count(*) FROM ledger_chain), (SELECT count(DISTINCT seq_id) FROM ledger_chain)");
        await using var r = await counts.ExecuteReaderAsync();
        await r.ReadAsync();
        (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2)).ShouldBe((appended.Count, (long)appended.Count, (long)appended.Count));
    }
}

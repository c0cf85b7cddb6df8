using Ledger.EventStore;
using Ledger.EventStore.Chain;
using Ledger.TestSupport;
using Shouldly;
using static Ledger.TestSupport.TestEvents;

namespace Ledger.EventStore.Tests.OnMarten;

public sealed class MartenAppendTests : IAsyncLifetime
{
    private TestDatabase _ledger = null!;

    public async Task InitializeAsync() => _ledger = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _ledger.DisposeAsync();

    [Fact]
    public async Task Events_round_trip_through_Martens_tables_with_their_ids_types_versions_and_metadata()
    {
        var tenant = TestDatabase.NewTenant();
        var first = Event("test.created", new { name = "a", amount = "12.50" });
        var second = Event("test.changed", new { name = "b" }, version: 2);

        var result = await _ledger.EventStore.AppendAsync(tenant, [To("s-1", ExpectedVersion.NoStream, first, second)]);

        result.StreamVersions["s-1"].ShouldBe(2);
        var read = await _ledger.EventStore.ReadStreamAsync(tenant, "s-1");
        read.Select(e => (e.EventId, e.EventType, e.TypeVersion, e.StreamVersion))
            .ShouldBe([(first.EventId, "test.created", 1, 1L), (second.EventId, "test.changed", 2, 2L)]);
        read[0].Data.GetProperty("amount").GetString().ShouldBe("12.50");
        read[0].Metadata.ShouldBe(first.Metadata);
        read[0].OccurredAt.ShouldBe(LedgerRecord.TruncateToMicroseconds(first.OccurredAt));
        await using var types = _ledger.AppDataSource.CreateCommand("SELECT array_agg(type ORDER BY seq_id) FROM mt_events");
        ((string[])(await types.ExecuteScalarAsync())!).ShouldBe(["test.created", "test.changed.v2"]);
    }

    [Fact]
    public async Task A_stale_expected_version_is_a_concurrency_exception_and_writes_nothing()
    {
        var tenant = TestDatabase.NewTenant();
        await _ledger.EventStore.AppendAsync(tenant, [To("s", ExpectedVersion.NoStream, Event())]);

        var error = await Should.ThrowAsync<ConcurrencyException>(() =>
            _ledger.EventStore.AppendAsync(tenant, [To("other", ExpectedVersion.NoStream, Event()), To("s", ExpectedVersion.NoStream, Event())]));

        error.StreamId.ShouldBe("s");
        error.ActualVersion.ShouldBe(1);
        (await _ledger.EventStore.ReadStreamAsync(tenant, "other")).ShouldBeEmpty();
    }

    [Fact]
    public async Task Every_event_is_sealed_once_into_its_tenants_chain_in_Martens_order()
    {
        var tenants = Enumerable.Range(0, 3).Select(_ => TestDatabase.NewTenant()).ToArray();
        await Parallel.ForEachAsync(Enumerable.Range(0, 60), async (i, ct) =>
            await _ledger.EventStore.AppendAsync(tenants[i % 3], [To($"s-{i}", ExpectedVersion.NoStream, Event(), Event())], ct));

        await _ledger.SealedAsync();

        var all = await _ledger.EventStore.ReadAllAsync(GlobalPosition.Start, 1000);
        all.Count.ShouldBe(120);
        all.Select(e => e.Position.Seq).ShouldBeInOrder();
        foreach (var chain in all.GroupBy(e => e.TenantId))
        {
            chain.Select(e => e.ChainSeq).ShouldBe(Enumerable.Range(1, 40).Select(i => (long)i));
            var previous = LedgerRecord.GenesisHash;
            foreach (var e in chain)
            {
                var entry = LedgerRecord.EntryHash(e.TenantId, e.StreamId, e.StreamVersion, e.EventId, e.EventType, e.TypeVersion,
                    e.OccurredAt, e.Data, LedgerRecord.MetadataJson(e.Metadata));
                entry.ShouldBe(e.EntryHash);
                LedgerRecord.Link(previous, entry).ShouldBe(e.ChainHash);
                previous = e.ChainHash;
            }
        }
    }
}

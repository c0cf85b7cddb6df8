using Ledger.EventStore;
using Ledger.TestSupport;
using static Ledger.TestSupport.TestEvents;

namespace Ledger.EventStore.Tests.Store;

public sealed class AppendAndReadTests : IAsyncLifetime
{
    private TestDatabase db = null!;
    public async Task InitializeAsync() => db = await TestDatabase.CreateAsync();
    public async Task DisposeAsync() => await db.DisposeAsync();

    [Fact]
    public async Task Appended_events_read_back_in_version_order_with_their_fields()
    {
        var tenant = TestDatabase.NewTenant();
        var first = Event("test.created", new { name = "a", amount = "12.50" });
        var second = Event("test.changed", new { name = "b" }, version: 2);

        var result = await db.Store.AppendAsync(tenant, [To("s-1", ExpectedVersion.NoStream, first, second)]);

        result.StreamVersions["s-1"].ShouldBe(2);
        var read = await db.Store.ReadStreamAsync(tenant, "s-1");
        read.Select(e => e.StreamVersion).ShouldBe([1L, 2L]);
        read.Select(e => e.ChainSeq).ShouldBe([1L, 2L]);
        read[0].EventId.ShouldBe(first.EventId);
        read[0].EventType.ShouldBe("test.created");
        read[0].Data.GetProperty("amount").GetString().ShouldBe("12.50");
        read[1].TypeVersion.ShouldBe(2);
        read[0].Metadata.ShouldBe(first.Metadata);
        read[1].Position.ShouldBe(result.LastPosition);
        read[0].OccurredAt.ShouldBe(first.OccurredAt, TimeSpan.FromTicks(10));
    }

    [Fact]
    public async Task Reading_from_a_version_skips_the_earlier_events_and_a_missing_stream_is_empty()
    {
        var tenant = TestDatabase.NewTenant();
        await db.Store.AppendAsync(tenant, [To("s", ExpectedVersion.NoStream, Event(), Event(), Event())]);

        (await db.Store.ReadStreamAsync(tenant, "s", fromVersion: 2)).Select(e => e.StreamVersion).ShouldBe([2L, 3L]);
        (await db.Store.ReadStreamAsync(tenant, "nothing-here")).ShouldBeEmpty();
        (await db.Store.ReadStreamAsync(TestDatabase.NewTenant(), "s")).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_stale_expected_version_is_refused_with_the_actual_version_and_writes_nothing()
    {
        var tenant = TestDatabase.NewTenant();
        await db.Store.AppendAsync(tenant, [To("s", ExpectedVersion.NoStream, Event(), Event())]);

        var error = await Should.ThrowAsync<ConcurrencyException>(
            () => db.Store.AppendAsync(tenant, [To("s", ExpectedVersion.Exactly(1), Event())]));

        error.ActualVersion.ShouldBe(2);
        error.StreamId.ShouldBe("s");
        (await db.Store.ReadStreamAsync(tenant, "s")).Count.ShouldBe(2);
    }

    [Fact]
    public async Task No_stream_on_an_existing_stream_is_a_conflict_and_any_always_appends()
    {
        var tenant = TestDatabase.NewTenant();
        await db.Store.AppendAsync(tenant, [To("s", ExpectedVersion.NoStream, Event())]);

        (await Should.ThrowAsync<ConcurrencyException>(
            () => db.Store.AppendAsync(tenant, [To("s", ExpectedVersion.NoStream, Event())]))).ActualVersion.ShouldBe(1);
        var any = await db.Store.AppendAsync(tenant, [To("s", ExpectedVersion.Any, Event())]);
        any.StreamVersions["s"].ShouldBe(2);
        (await db.Store.AppendAsync(tenant, [To("new", ExpectedVersion.Any, Event())])).StreamVersions["new"].ShouldBe(1);
    }

    [Fact]
    public async Task An_append_to_several_streams_is_all_or_nothing()
    {
        var tenant = TestDatabase.NewTenant();
        await db.Store.AppendAsync(tenant, [To("invoice-series", ExpectedVersion.NoStream, Event())]);

        await Should.ThrowAsync<ConcurrencyException>(() => db.Store.AppendAsync(tenant,
        [
            To("invoice-1", ExpectedVersion.NoStream, Event()),
            To("invoice-series", ExpectedVersion.NoStream, Event()),
        ]));
        (await db.Store.ReadStreamAsync(tenant, "invoice-1")).ShouldBeEmpty();

        var ok = await db.Store.AppendAsync(tenant,
        [
            To("invoice-1", ExpectedVersion.NoStream, Event()),
            To("invoice-series", ExpectedVersion.Exactly(1), Event()),
        ]);
        ok.StreamVersions.ShouldBe(new Dictionary<string, long> { ["invoice-1"] = 1, ["invoice-series"] = 2 });
        // Marten records the refused append's reserved sequence numbers as tombstones (stream mt_tombstone), so its
        // sequence has no gap to wait out; being events Marten stored, they are sealed into the chain like any other.
        (await ChainOf(tenant)).ShouldBe(["invoice-series 1", "mt_tombstone", "invoice-1 1", "invoice-series 2"]);
    }

    [Fact]
    public async Task Among_several_streams_the_one_whose_version_does_not_hold_is_named_and_nothing_moves()
    {
        var tenant = TestDatabase.NewTenant();
        await db.Store.AppendAsync(tenant, [To("a", ExpectedVersion.NoStream, Event(), Event())]);
        await db.Store.AppendAsync(tenant, [To("b", ExpectedVersion.NoStream, Event(), Event(), Event())]);

        // a holds, b does not, c is new: the streams that held were already moved when b was found out.
        var error = await Should.ThrowAsync<ConcurrencyException>(() => db.Store.AppendAsync(tenant,
        [
            To("a", ExpectedVersion.Exactly(2), Event()),
            To("c", ExpectedVersion.NoStream, Event()),
            To("b", ExpectedVersion.Exactly(2), Event()),
        ]));

        (error.StreamId, error.ActualVersion).ShouldBe(("b", 3L));
        (await db.Store.ReadStreamAsync(tenant, "a")).Count.ShouldBe(2);
        (await db.Store.ReadStreamAsync(tenant, "c")).ShouldBeEmpty();
        var next = await db.Store.AppendAsync(tenant, [To("a", ExpectedVersion.Exactly(2), Event()), To("c", ExpectedVersion.NoStream, Event())]);
        next.StreamVersions.ShouldBe(new Dictionary<string, long> { ["a"] = 3, ["c"] = 1 });
        var chain = await ChainOf(tenant);
        chain[..5].ShouldBe(["a 1", "a 2", "b 1", "b 2", "b 3"]);
        chain[^2..].ShouldBe(["a 3", "c 1"]);
        chain[5..^2].ShouldAllBe(entry => entry == "mt_tombstone", "only Marten's tombstones of the refused append in between");
    }

    [Fact]
    public async Task Streams_of_different_tenants_are_separate_even_with_the_same_id()
    {
        var (a, b) = (TestDatabase.NewTenant("a"), TestDatabase.NewTenant("b"));
        await db.Store.AppendAsync(a, [To("order-1", ExpectedVersion.NoStream, Event())]);
        await db.Store.AppendAsync(b, [To("order-1", ExpectedVersion.NoStream, Event())]);

        (await db.Store.ReadStreamAsync(a, "order-1")).Single().ChainSeq.ShouldBe(1);
        (await db.Store.ReadStreamAsync(b, "order-1")).Single().ChainSeq.ShouldBe(1);
    }

    [Fact]
    public async Task Appends_that_could_never_be_right_are_refused_before_the_database()
    {
        var tenant = TestDatabase.NewTenant();
        await Should.ThrowAsync<ArgumentException>(() => db.Store.AppendAsync("", [To("s", ExpectedVersion.Any, Event())]));
        await Should.ThrowAsync<ArgumentException>(() => db.Store.AppendAsync(tenant, [To("s", ExpectedVersion.Any)]));
        await Should.ThrowAsync<ArgumentException>(() => db.Store.AppendAsync(tenant,
            [To("s", ExpectedVersion.Any, Event()), To("s", ExpectedVersion.Any, Event())]));
        var notAnObject = Event() with { Data = System.Text.Json.JsonSerializer.SerializeToElement(42) };
        await Should.ThrowAsync<ArgumentException>(() => db.Store.AppendAsync(tenant, [To("s", ExpectedVersion.Any, notAnObject)]));
        (await db.Store.ReadStreamAsync(tenant, "s")).ShouldBeEmpty();
    }

    [Fact]
    public async Task The_same_event_id_cannot_be_appended_twice_for_a_tenant()
    {
        var tenant = TestDatabase.NewTenant();
        var e = Event();
        await db.Store.AppendAsync(tenant, [To("s", ExpectedVersion.NoStream, e)]);

        var error = await Should.ThrowAsync<Exception>(() => db.Store.AppendAsync(tenant, [To("t", ExpectedVersion.NoStream, e)]));
        (error as Npgsql.PostgresException ?? error.InnerException as Npgsql.PostgresException)?.SqlState.ShouldBe(Npgsql.PostgresErrorCodes.UniqueViolation);
        (await db.Store.ReadStreamAsync(tenant, "t")).ShouldBeEmpty();
    }

    // The tenant's chain in order: "stream version" per entry, or "mt_tombstone" for Marten's tombstones.
    private async Task<string[]> ChainOf(string tenant)
    {
        var all = await db.Store.ReadAllAsync(GlobalPosition.Start, 1000);
        return [.. all.Where(e => e.TenantId == tenant).OrderBy(e => e.ChainSeq)
            .Select(e => e.StreamId == "mt_tombstone" ? e.StreamId : $"{e.StreamId} {e.StreamVersion}")];
    }
}

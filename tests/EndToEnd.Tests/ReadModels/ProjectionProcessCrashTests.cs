using Ledger.Application.Orders;
using Ledger.Domain.Orders;
using Ledger.EndToEnd.Tests.MultiHost;
using Ledger.EventStore;
using Ledger.EventStore.Migrations;
using Ledger.Host.Configuration;
using Ledger.Projections;
using Ledger.Application.Json;
using Ledger.EventStore.Connections;
using Ledger.Projections.OnMarten;
using Ledger.TestSupport;
using Npgsql;

namespace Ledger.EndToEnd.Tests.ReadModels;

/// <summary>
/// The acceptance crash test, with real processes: a Host is killed (SIGKILL) in the middle of a large catch-up;
/// another Host takes the projections over (Marten's daemon, from the progress the first committed) and finishes; then
/// every read-model table equals, row by row, what a from-scratch rebuild produces. (That no page is applied twice is
/// proven where it can be seen: Projections.Tests' CrashRecoveryTests, whose test projection fails on a second
/// application; the read models' own statements are idempotent, so here a replay would not show.)
/// </summary>
[Trait("Category", "MultiHost")]
public sealed class ProjectionProcessCrashTests
{
    private static readonly Dictionary<string, string> Settings = new()
    {
        ["ConnectionStrings:RabbitMq"] = "", // messaging off: this test is about projections
        ["Ledger:Projections:BatchSize"] = "100",
    };

    [Fact]
    public async Task A_host_killed_mid_catch_up_leaves_the_next_host_to_finish_equal_to_a_rebuild()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(240);
        TimeSpan Left() => deadline - DateTime.UtcNow;
        await using var cluster = await LedgerCluster.CreateAsync();
        var db = cluster.Db;
        await Migrator.MigrateAsync(db.AdminDataSource, db.Schema, TestDatabase.AppRole, LedgerMigrationSets.All);
        var events = await AppendOrdersAsync(db.EventStore, TestDatabase.NewTenant("a"), 4000)
                     + await AppendOrdersAsync(db.EventStore, TestDatabase.NewTenant("b"), 4000);
        var names = LedgerProjections.All.Select(p => p.Name).ToArray();

        var first = cluster.Start("a", Settings);
        await first.WaitReadyAsync(Left());
        await Eventually.Until(() => ProcessedAsync(db, "min", names), n => n >= 3000, Left(), "the first host to be part-way through");
        first.Crash();
        (await first.WaitExitAsync(TimeSpan.FromSeconds(10))).ShouldBeTrue();
        (await ProcessedAsync(db, "min", names)).ShouldBeLessThan(await ScalarAsync<long>(db.AdminDataSource, "SELECT max(seq_id) FROM mt_events"),
            "the kill should land in the middle of the catch-up");

        var second = cluster.Start("b", Settings);
        await second.WaitReadyAsync(Left());
        var head = await ScalarAsync<long>(db.AdminDataSource, "SELECT max(seq_id) FROM mt_events");
        await Eventually.Until(() => ProcessedAsync(db, "min", names), n => n >= head, Left(), "the second host to finish the catch-up");

        await using var app = LedgerDataSource.Create(db.AppConnectionString, "crash-test-rebuild");
        foreach (var projection in LedgerProjections.All)
        {
            var tables = await ScalarAsync<string[]>(db.AdminDataSource, "SELECT tables FROM projections WHERE name = $1", projection.Name);
            foreach (var table in tables) await ScalarAsync<object>(db.AdminDataSource, $"CREATE TABLE crashed_{table} AS TABLE {table}_g1");
            var rebuilt = await new ProjectionRebuild(projection, app, db.AdminDataSource, TestDatabase.Shapes(), LedgerJson.Options,
                new ProjectionOptions { BatchSize = 1000 }, TestDatabase.AppRole, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)
                .RunAsync(restart: false, null, CancellationToken.None);
            rebuilt.Failure.ShouldBeNull();
            foreach (var table in tables)
            {
                var (crashed, scratch) = ($"crashed_{table}", $"{table}_g{rebuilt.Generation}");
                if (LedgerProjections.Orders.Contains(projection)) // the invoicing models have nothing to show for orders
                    (await ScalarAsync<long>(db.AdminDataSource, $"SELECT count(*) FROM {crashed}")).ShouldBeGreaterThan(0, table);
                (await ScalarAsync<long>(db.AdminDataSource,
                    $"SELECT count(*) FROM ((TABLE {crashed} EXCEPT ALL TABLE {scratch}) UNION ALL (TABLE {scratch} EXCEPT ALL TABLE {crashed})) d"))
                    .ShouldBe(0, $"{table}: the crashed-and-resumed rows differ from a from-scratch build");
            }
        }
    }

    /// <summary>The least or greatest position of the read models' live projections (0 while one has none yet).</summary>
    private static Task<long> ProcessedAsync(TestDatabase db, string aggregate, string[] names) => ScalarAsync<long>(db.AdminDataSource,
        $"SELECT CASE WHEN count(*) = $2 THEN {aggregate}(last_seq_id) ELSE 0 END FROM mt_event_progression WHERE name = ANY($1)",
        names.Select(ProjectionShards.Live).ToArray(), (long)names.Length);

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource db, string sql, params object[] parameters)
    {
        await using var command = db.CreateCommand(sql);
        foreach (var p in parameters) command.Parameters.Add(new NpgsqlParameter { Value = p });
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Orders in every lifecycle, 50 to an append; returns how many events.</summary>
    private static async Task<int> AppendOrdersAsync(IEventStore store, string tenant, int orders)
    {
        var start = new DateTimeOffset(2025, 1, 1, 9, 0, 0, TimeSpan.Zero);
        var count = 0;
        for (var first = 0; first < orders; first += 50)
        {
            var streams = new List<StreamAppend>();
            for (var i = first; i < Math.Min(orders, first + 50); i++)
            {
                var id = Guid.CreateVersion7();
                var at = start.AddHours(i);
                var total = 10m + i % 90;
                List<OrderEvent> lifecycle = [new OrderCreated(id, $"cust-{i % 30}", i % 3 == 0 ? "USD" : "EUR", [new OrderLine("SKU", "Thing", 1, total)], total, at, null)];
                if (i % 4 > 0) lifecycle.Add(new OrderPaymentRequested(id, total, at.AddHours(1)));
                if (i % 4 > 1) lifecycle.Add(new OrderPaid(id, total, $"psp-{i}", at.AddHours(2)));
                if (i % 4 > 2) lifecycle.Add(new OrderFulfilled(id, at.AddHours(3)));
                streams.Add(new StreamAppend(OrderStreams.For(id), ExpectedVersion.NoStream, [.. lifecycle.Select(ToAppend)]));
                count += lifecycle.Count;
            }
            await store.AppendAsync(tenant, streams);
        }
        return count;
    }

    private static EventToAppend ToAppend(OrderEvent e)
    {
        var encoded = OrderEventCodec.Encode(e);
        return new EventToAppend(Guid.CreateVersion7(), encoded.EventType, encoded.TypeVersion, DateTimeOffset.UtcNow, encoded.Data,
            new EventMetadata(Guid.NewGuid().ToString("N"), null, "crash-test", null, "test"));
    }
}

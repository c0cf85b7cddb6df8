using System.Collections.Concurrent;
using System.Diagnostics;
using Ledger.Projections.OnMarten;
using Ledger.Projections.Orders;
using Ledger.Projections.Reading;
using Ledger.Projections.Tests.Infrastructure;
using Ledger.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Ledger.Projections.Tests;

/// <summary>
/// The million-event test runs alone. Its generation writes in transactions of 100,000 events, and while one is open
/// no reader on the server may read past it (readers stop at the oldest running transaction, so that nothing is ever
/// skipped): a test running beside it that waits for its own events to be projected would wait for that too.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MillionEventCollection
{
    public const string Name = "million-event rebuild";
}

/// <summary>
/// Issue 3's acceptance: the orders read model rebuilt over 1,000,000 events while readers keep asking the report the
/// accountants' API answers from, and a writer keeps appending. No reader sees an error or an empty page, and after the
/// swap the new generation holds every row the old one did plus the writer's orders.
/// <c>LEDGER_REBUILD_TEST_EVENTS</c> sets a smaller size for a quick run.
/// </summary>
[Collection(MillionEventCollection.Name)]
public sealed class MillionEventRebuildTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private readonly string _tenant = TestDatabase.NewTenant();

    public async Task InitializeAsync() => _db = await ProjectionDb.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Readers_never_see_an_error_or_an_empty_answer_while_a_million_event_rebuild_runs_and_swaps()
    {
        var clock = Stopwatch.StartNew();
        var events = await GeneratedHistory.CreateAsync(_db, _tenant, GeneratedHistory.Size(1_000_000));
        var expected = await _db.AdminDataSource.ScalarAsync<long>("SELECT count(*) FROM orders_rm_g1");
        await using (var copy = _db.AdminDataSource.CreateCommand("CREATE TABLE expected_orders AS TABLE orders_rm_g1"))
            await copy.ExecuteNonQueryAsync();
        output.WriteLine($"generated {events:N0} events ({expected:N0} orders) in {clock.Elapsed.TotalSeconds:F0} s");

        await using var daemon = DaemonHarness.Start(_db, "live", [new OrdersProjection()]);
        using var stop = new CancellationTokenSource();
        var failures = new ConcurrentQueue<string>();
        var reads = 0L;
        var readers = new[] { (string?)null, "payment_requested", "fulfilled" }.Select(status => Task.Run(async () =>
        {
            var reader = new ReadModelReader(_db.AppDataSource);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var page = await OrdersReport.QueryAsync(reader, _tenant, new OrdersFilter(status, null, null, null), null, 50);
                    if (page.Items.Count != 50) failures.Enqueue($"empty answer: {page.Items.Count} orders with status {status ?? "any"}");
                    Interlocked.Increment(ref reads);
                }
                catch (Exception e)
                {
                    failures.Enqueue(e.ToString());
                }
            }
        })).ToList();
        // A steady trickle of new orders (about 50 a second), as a working day adds them; as fast as it could, the
        // writer would only measure how long a rebuild can chase it.
        var writtenOrders = 0;
        var writer = Task.Run(async () =>
        {
            using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            for (var i = 0; !stop.IsCancellationRequested && await pace.WaitForNextTickAsync(CancellationToken.None); i++)
            {
                await OrderHistory.AppendOrdersAsync(_db.Store, _tenant, 5, seed: 1000 + i);
                writtenOrders += 5;
            }
        });

        clock.Restart();
        await using var rebuildDb = Ledger.EventStore.Connections.LedgerDataSource.Create(_db.AppConnectionString, "rebuild");
        var rebuild = new ProjectionRebuild(new OrdersProjection(), rebuildDb, _db.AdminDataSource, TestDatabase.Shapes(), TestDatabase.Json,
            new ProjectionOptions { BatchSize = 1000 }, TestDatabase.AppRole, NullLogger.Instance);
        var result = await rebuild.RunAsync(restart: false, progress: null, CancellationToken.None);
        var rebuilt = clock.Elapsed;
        await stop.CancelAsync();
        await Task.WhenAll([.. readers, writer]);
        output.WriteLine($"rebuilt through position {result.Position:N0} in {rebuilt.TotalSeconds:F0} s ({result.Position / rebuilt.TotalSeconds:F0} events/s), " +
                         $"{Interlocked.Read(ref reads):N0} reads, {writtenOrders} orders written meanwhile");

        (result.Generation, result.Replaced, result.Failure).ShouldBe((2, (int?)1, (ProjectionGeneration?)null));
        failures.Take(5).ShouldBeEmpty();
        Interlocked.Read(ref reads).ShouldBeGreaterThan(10);
        result.Position.ShouldBeGreaterThanOrEqualTo(events);

        // The live projection writes through the views into the new generation; once it has applied the writer's last orders, the new generation holds
        // exactly the old rows plus one per order written during the rebuild.
        await _db.CaughtUpAsync([OrdersProjection.ProjectionName]);
        (await _db.AdminDataSource.ScalarAsync<long>("SELECT count(*) FROM (TABLE expected_orders EXCEPT ALL TABLE orders_rm_g2) missing")).ShouldBe(0);
        (await _db.AdminDataSource.ScalarAsync<long>("SELECT count(*) FROM orders_rm_g2")).ShouldBe(expected + writtenOrders);
    }
}

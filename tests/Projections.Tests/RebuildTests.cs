using System.Collections.Concurrent;
using Ledger.Projections.Model;
using Ledger.Projections.OnMarten;
using Ledger.Projections.Orders;
using Ledger.Projections.Reading;
using Ledger.Projections.Receivables;
using Ledger.Projections.SalesJournal;
using Ledger.Projections.Tests.Infrastructure;
using Ledger.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ledger.Projections.Tests;

/// <summary>Blue/green rebuilds: the new generation is built beside the live one, which keeps answering, then swapped in.</summary>
public sealed class RebuildTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private string _tenant = "";
    private Npgsql.NpgsqlDataSource _rebuildDb = null!;

    public async Task InitializeAsync()
    {
        _db = await ProjectionDb.CreateAsync();
        _rebuildDb = Ledger.EventStore.Connections.LedgerDataSource.Create(_db.AppConnectionString, "rebuild");
        _tenant = TestDatabase.NewTenant();
        (await OrderHistory.AppendOrdersAsync(_db.Store, _tenant, 8000, perAppend: 50)).ShouldBeGreaterThan(19000);
    }

    public async Task DisposeAsync()
    {
        await _rebuildDb.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Readers_never_see_an_error_or_an_empty_answer_while_a_rebuild_runs_and_swaps()
    {
        await using var daemon = DaemonHarness.Start(_db, "live");
        await _db.CaughtUpAsync(LedgerProjections.Orders.Select(p => p.Name));

        using var stop = new CancellationTokenSource();
        var failures = new ConcurrentQueue<string>();
        var reads = 0L;
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            var reader = new ReadModelReader(_db.AppDataSource);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var orders = await OrdersReport.QueryAsync(reader, _tenant, new OrdersFilter(null, null, null, null), null, 50);
                    var (owed, _) = await ReceivablesReport.QueryAsync(reader, _tenant, new ReceivablesFilter(null, null, null), null, 50, DateOnly.FromDateTime(DateTime.UtcNow));
                    var journal = await SalesJournalReport.QueryAsync(reader, _tenant, new SalesJournalFilter(null, null, null), null, 50);
                    if (orders.Items.Count != 50 || owed.Items.Count == 0 || journal.Items.Count == 0)
                        failures.Enqueue($"empty answer: {orders.Items.Count} orders, {owed.Items.Count} receivables, {journal.Items.Count} days");
                    Interlocked.Increment(ref reads);
                }
                catch (Exception e)
                {
                    failures.Enqueue(e.ToString());
                }
            }
        })).ToList();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++) await OrderHistory.AppendOrdersAsync(_db.Store, _tenant, 5, seed: 1000 + i);
        });

        var progress = new RecordingProgress();
        foreach (var projection in LedgerProjections.Orders)
        {
            var result = await Rebuild(projection).RunAsync(restart: false, progress, CancellationToken.None);
            (result.Generation, result.Replaced, result.Failure).ShouldBe((2, (int?)1, (ProjectionGeneration?)null));
        }
        await stop.CancelAsync();
        await Task.WhenAll([.. readers, writer]);

        failures.ShouldBeEmpty();
        Interlocked.Read(ref reads).ShouldBeGreaterThan(10);
        progress.Reports.Count.ShouldBeGreaterThan(3);
        progress.Reports.Last().Position.ShouldBeGreaterThan(19000);
        foreach (var projection in LedgerProjections.Orders)
        {
            (await _db.AdminDataSource.ScalarAsync<int>("SELECT live_generation FROM projections WHERE name = $1", projection.Name)).ShouldBe(2);
            (await _db.AdminDataSource.ScalarAsync<bool>("SELECT to_regclass('orders_rm_g1') IS NULL")).ShouldBeTrue();
        }

        // The live projection writes through the views: it went on into the new generation and keeps it current.
        await OrderHistory.AppendOrdersAsync(_db.Store, _tenant, 10, seed: 5000);
        await _db.CaughtUpAsync(LedgerProjections.Orders.Select(p => p.Name));
        foreach (var projection in LedgerProjections.Orders)
        {
            var scratch = await GenerationCompare.BuildFromScratchAsync(_db, projection);
            (await GenerationCompare.CompareAsync(_db, projection.Name, 2, scratch)).Differences.ShouldBe(0, projection.Name);
        }
    }

    [Fact]
    public async Task An_interrupted_rebuild_leaves_the_live_model_untouched_and_the_next_one_resumes_it()
    {
        await using var daemon = DaemonHarness.Start(_db, "live");
        await _db.CaughtUpAsync([OrdersProjection.ProjectionName]);
        var projection = new OrdersProjection();

        using var interrupt = new CancellationTokenSource();
        var progress = new RecordingProgress(p => { if (p.Position > 5000) interrupt.Cancel(); });
        await Should.ThrowAsync<OperationCanceledException>(() => Rebuild(projection).RunAsync(false, progress, interrupt.Token));

        (await _db.AdminDataSource.ScalarAsync<int>("SELECT live_generation FROM projections WHERE name = 'orders'")).ShouldBe(1);
        var page = await OrdersReport.QueryAsync(new ReadModelReader(_db.AppDataSource), _tenant, new OrdersFilter(null, null, null, null), null, 10);
        page.Items.Count.ShouldBe(10);
        var statuses = await ProjectionStatus.ReadAllAsync(_db.AppDataSource);
        var interrupted = statuses.Single(s => s is { Name: "orders", Generation: 2 });
        interrupted.State.ShouldStartWith("rebuild interrupted");
        interrupted.EventsBehind.ShouldBeGreaterThan(0);

        var resumed = new RecordingProgress();
        var result = await Rebuild(projection).RunAsync(false, resumed, CancellationToken.None);
        (result.Generation, result.Replaced).ShouldBe((2, (int?)1));
        resumed.Reports[0].Position.ShouldBeGreaterThan(5000); // it went on from where it was, not from zero
        (await _db.AdminDataSource.ScalarAsync<int>("SELECT live_generation FROM projections WHERE name = 'orders'")).ShouldBe(2);
    }

    private ProjectionRebuild Rebuild(IReadModel model) => new(
        model, _rebuildDb, _db.AdminDataSource, TestDatabase.Shapes(), TestDatabase.Json, new ProjectionOptions { BatchSize = 1000 },
        TestDatabase.AppRole, NullLogger.Instance);

    private sealed class RecordingProgress(Action<RebuildProgress>? onReport = null) : IProgress<RebuildProgress>
    {
        public List<RebuildProgress> Reports { get; } = [];

        public void Report(RebuildProgress value)
        {
            Reports.Add(value);
            onReport?.Invoke(value);
        }
    }
}

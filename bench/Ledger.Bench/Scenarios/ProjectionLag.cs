using System.Diagnostics;
using Ledger.Application.Orders;
using Ledger.Bench.Infrastructure;
using Ledger.EventStore;
using Ledger.Projections.OnMarten;
using Ledger.Projections.Orders;

namespace Ledger.Bench.Scenarios;

/// <summary>
/// Scenario 5's second figure: end-to-end lag under a steady load. The live orders projection runs on Marten's async
/// daemon beside the chain sealer, in the appending process, as the Host registers them (one store, one daemon); the
/// daemon looks for new events every 10 ms (<c>LedgerMarten.DefaultSealPolling</c>) and nothing wakes it sooner. An
/// open loop appends one new order at a fixed rate (ten tenants in turn); a watcher reads the live shard's progress
/// (<c>orders:All</c> in <c>mt_event_progression</c>, <see cref="ProjectionPositions"/>) back to back. An order is
/// visible when that progress, committed in the same transaction as its row, reaches the append's position: lag is
/// that moment minus the moment the append returned. The projection reads <c>mt_events</c> up to Marten's high-water
/// mark, not the sealed ledger, so the seal lag is not in it.
/// </summary>
public static class ProjectionLag
{
    public sealed record Figures(double P50Ms, double P99Ms, long Orders, double Rate, double WatcherPollMs, double AppendP50Ms, double AppendP99Ms);

    /// <param name="ledger">A ledger whose running daemon has the live orders projection registered.</param>
    public static async Task<Figures> MeasureAsync(LedgerSchema ledger, ProjectionPositions positions, double rate, TimeSpan duration)
    {
        const string orders = OrdersProjection.ProjectionName;
        var store = ledger.Store;

        // The projection at the head first, so only the steady load is measured.
        var head = new GlobalPosition(await ledger.Ledger.LastEventAsync());
        if (!await positions.WaitForAsync(orders, head, TimeSpan.FromSeconds(30)))
            throw new TimeoutException($"the live orders projection did not reach {head} before the lag measure");

        var pending = new List<(GlobalPosition Position, long ReturnedAt)>();
        var lags = new List<double>();
        var polls = 0L;
        var appending = true;
        var watcher = Task.Run(async () =>
        {
            var watchStarted = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref appending) || pending.Count > 0)
            {
                var at = await positions.CurrentAsync(orders);
                var now = Stopwatch.GetTimestamp();
                polls++;
                lock (pending)
                {
                    foreach (var (position, returned) in pending.Where(p => p.Position <= at)) lags.Add((now - returned) * 1000.0 / Stopwatch.Frequency);
                    pending.RemoveAll(p => p.Position <= at);
                }
                if (Stopwatch.GetElapsedTime(watchStarted) > duration + TimeSpan.FromSeconds(30)) break; // a stalled projection ends the watch
            }
            return Stopwatch.GetElapsedTime(watchStarted).TotalMilliseconds / Math.Max(1, polls);
        });
        var i = 0;
        var load = await LoadDriver.OpenLoop(rate, duration, async () =>
        {
            var orderId = Guid.CreateVersion7();
            var n = Interlocked.Increment(ref i);
            var tenant = $"tenant-lag-{n % 10}";
            var result = await store.AppendAsync(tenant,
                [new StreamAppend(OrderStreams.For(orderId), ExpectedVersion.NoStream, [OrderEvents.Created(tenant, orderId, n)])]);
            var returned = Stopwatch.GetTimestamp();
            lock (pending) pending.Add((result.LastPosition, returned));
        });
        Volatile.Write(ref appending, false);
        var pollMs = await watcher;
        if (load.Errors > 0) throw new InvalidOperationException($"appends failed during the lag measure: {load.FirstError}");
        if (pending.Count > 0) throw new InvalidOperationException($"{pending.Count} orders never became visible");
        var sorted = lags.ToArray();
        return new Figures(Series.Percentile(sorted, 0.5), Series.Percentile(sorted, 0.99), sorted.Length, load.OpsPerSecond, pollMs, load.P50Ms, load.P99Ms);
    }
}

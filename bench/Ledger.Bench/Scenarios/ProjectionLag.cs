using System.Diagnostics;
using Ledger.Application.Orders;
using Ledger.Bench.Infrastructure;
using Ledger.EventStore;
using Ledger.EventStore.Notifications;
using Ledger.Projections.Daemon;
using Ledger.Projections.Orders;
using Npgsql;

namespace Ledger.Bench.Scenarios;

/// <summary>
/// Scenario 5's second figure: end-to-end lag under a steady load. A daemon runs the orders projection as the Host
/// runs it (its own pool, reading the sealed ledger, woken through the signal the chain sealer pulses after each page,
/// which the notifier passes on as NOTIFY); an open loop appends one new order at a fixed rate (ten tenants in turn);
/// a watcher reads the live checkpoint back to back. An order is visible when the checkpoint, committed in the same
/// transaction as its row, reaches the append's position: lag is that moment minus the moment the append returned, so
/// it includes the seal lag (scenario 10).
/// </summary>
public static class ProjectionLag
{
    public sealed record Figures(double P50Ms, double P99Ms, long Orders, double Rate, double WatcherPollMs, double AppendP50Ms, double AppendP99Ms);

    private const string LiveCheckpoint = """
        SELECT c.seq FROM projection_checkpoints c JOIN projections p ON p.name = c.name AND p.live_generation = c.generation
         WHERE c.name = 'orders'
        """;

    public static async Task<Figures> MeasureAsync(NpgsqlDataSource projectionDb, LedgerSchema ledger, double rate, TimeSpan duration)
    {
        using var stop = new CancellationTokenSource();
        var admin = ledger.Admin;
        var store = ledger.Store;
        var signal = new AppendSignal();
        var daemon = new ProjectionDaemon([new OrdersProjection()], projectionDb, ledger.Sealing.StoreOn(projectionDb), signal,
            new ProjectionDaemonOptions { Owner = "bench-lag", LeaseInterval = TimeSpan.FromMilliseconds(200) });
        // As the Host wires it: the sealer pulses the signal after each page it sealed (waking this process's daemon at
        // once) and the notifier passes that on to other processes; the listener hears the other processes'.
        void Sealed(long _) => signal.Pulse();
        ledger.Sealing.SealedThrough += Sealed;
        await using var notifier = new AppendNotifier(projectionDb, signal);
        notifier.Start();
        var listening = new AppendListener(projectionDb, signal).RunAsync(stop.Token);
        var running = daemon.RunAsync(stop.Token);

        // Wait for the daemon to hold the projection and stand at the head, so only the steady load is measured.
        await ledger.SealedAsync();
        var head = await CheckpointAsync(admin, "SELECT seq FROM ledger_events ORDER BY seq DESC LIMIT 1");
        var deadline = Stopwatch.GetTimestamp() + 30 * Stopwatch.Frequency;
        while (await CheckpointAsync(admin, LiveCheckpoint) < head && Stopwatch.GetTimestamp() < deadline) await Task.Yield();

        var pending = new List<(GlobalPosition Position, long ReturnedAt)>();
        var lags = new List<double>();
        var polls = 0L;
        var appending = true;
        var watcher = Task.Run(async () =>
        {
            var watchStarted = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref appending) || pending.Count > 0)
            {
                var at = await CheckpointAsync(admin, LiveCheckpoint);
                var now = Stopwatch.GetTimestamp();
                polls++;
                lock (pending)
                {
                    foreach (var (position, returned) in pending.Where(p => p.Position <= at)) lags.Add((now - returned) * 1000.0 / Stopwatch.Frequency);
                    pending.RemoveAll(p => p.Position <= at);
                }
                if (Stopwatch.GetElapsedTime(watchStarted) > duration + TimeSpan.FromSeconds(30)) break; // a stalled daemon ends the watch
            }
            return Stopwatch.GetElapsedTime(watchStarted).TotalMilliseconds / Math.Max(1, polls);
        });
        var i = 0;
        var load = await LoadDriver.OpenLoop(rate, duration, async () =>
        {
            var orderId = Guid.CreateVersion7();
            var n = Interlocked.Increment(ref i);
            var result = await store.AppendAsync($"tenant-lag-{n % 10}",
                [new StreamAppend(OrderStreams.For(orderId), ExpectedVersion.NoStream, [OrderEvents.Created(orderId, n)])]);
            var returned = Stopwatch.GetTimestamp();
            lock (pending) pending.Add((result.LastPosition, returned));
        });
        Volatile.Write(ref appending, false);
        var pollMs = await watcher;
        ledger.Sealing.SealedThrough -= Sealed;
        await stop.CancelAsync();
        try
        {
            await Task.WhenAll(running, listening);
        }
        catch (Exception e) when (e is OperationCanceledException or NpgsqlException)
        {
        }
        if (load.Errors > 0) throw new InvalidOperationException($"appends failed during the lag measure: {load.FirstError}");
        if (pending.Count > 0) throw new InvalidOperationException($"{pending.Count} orders never became visible");
        var sorted = lags.ToArray();
        return new Figures(Series.Percentile(sorted, 0.5), Series.Percentile(sorted, 0.99), sorted.Length, load.OpsPerSecond, pollMs, load.P50Ms, load.P99Ms);
    }

    private static async Task<GlobalPosition> CheckpointAsync(NpgsqlDataSource admin, string sql)
    {
        await using var command = admin.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? new GlobalPosition(reader.GetInt64(0)) : GlobalPosition.Start;
    }
}

using System.Diagnostics;
using Ledger.Bench.Infrastructure;
using Ledger.Bench.Report;
using Ledger.Bench.Scenarios.LedgerOnMarten;
using Ledger.EventStore;

namespace Ledger.Bench.Scenarios;

/// <summary>
/// Scenario 10 (issue 13): the seal lag of Ledger's store on Marten, append returned → sealed by <c>ChainSealer</c> on
/// Marten's async daemon, at half the store's many-tenant saturation rate (measured first, in this schema, with the
/// Host's daemon setting), under Ledger's setting and the other ways to wake the daemon; and the daemon's catch-up rate
/// over a preloaded backlog. The append throughput itself, against plain Marten and the INSERT, is scenarios 1 and 2.
/// The chain is checked at the end.
/// </summary>
public sealed class SealLagScenario(BenchSettings settings, BenchDatabase database, Payloads payloads)
{
    private readonly StreamWriters writers = new(settings);

    private const string Id = "10";
    private const string Title = "Seal lag";
    private static readonly TimeSpan SealDeadline = TimeSpan.FromSeconds(60);

    public async Task<ScenarioOutcome> RunAsync()
    {
        var tenants = settings.Tenants;
        var streamsPerTenant = settings.StreamsPerTenant;
        var streamCount = tenants * streamsPerTenant;
        var perStream = Math.Max(1, settings.PreloadEvents / streamCount);
        Log.Line($"{Id}. {Title}: {tenants} tenants × {streamsPerTenant} streams, preloading {streamCount * perStream:N0} events");

        await using var ledger = await database.CreateLedgerAsync("s10");
        await ledger.StopSealingAsync();
        await Preload.LedgerStreamsAsync(ledger.Store, tenants, streamsPerTenant, perStream, payloads);
        await BenchDatabase.AnalyzeAsync(ledger.Admin, "mt_events", "mt_streams");
        var catchUp = await AppendScenario.CatchUpAsync(ledger);
        Log.Line($"{Id}. {catchUp}");

        // Ledger's saturation here and now (8 writers, the daemon running), so the lag's rate means the same in a run of
        // this scenario alone.
        var versions = Enumerable.Repeat((long)perStream, streamCount).ToArray();
        var saturation = (await Rounds.Rotate(settings.Rounds, "events/s",
        [
            new Side("Ledger", warmUp => writers.Run(warmUp, (w, random, n) =>
                AppendScenario.AppendOneAsync(ledger.Store, payloads, versions, writers.PickStream(w, random, streamCount), streamsPerTenant, n))),
        ], label: Id))[0];
        var rate = saturation.Figures.Median / 2;

        var rows = new List<ResultRow>();
        var wakeup = new InProcessWakeup();
        DaemonTuning[] tunings = [DaemonTuning.Defaults, DaemonTuning.HostSetting, DaemonTuning.ListenNotify, DaemonTuning.InProcessWakeup(wakeup)];
        foreach (var tuning in tunings)
        {
            await ledger.StartSealingAsync(tuning);
            await ledger.SealedAsync(SealDeadline);
            var lag = await SealLagAsync(ledger, versions, streamCount, streamsPerTenant, rate, tuning.PulseAfterAppend ? wakeup : null);
            Log.Line($"{Id}. seal lag at {rate:N0}/s, {tuning.Name}: p50 {lag.P50Ms:0.0} ms, p99 {lag.P99Ms:0.0} ms, max {lag.MaxMs:0.0} ms over {lag.Events:N0} appends");
            rows.Add(LagRow(tuning, rate, lag));
        }
        await ledger.SealedAsync(SealDeadline);
        var check = await SealedChain.VerifyAsync(ledger.Admin);
        Log.Line($"{Id}. chain after the lag runs: {check}");
        return new ScenarioOutcome(rows,
        [
            $"- 10: {catchUp}",
            $"- 10: Ledger's saturation before the lag runs: {saturation.Figures.Describe()} ({settings.Writers} writers, 1 event per append, {tenants} tenants, the daemon at Ledger's setting)",
            $"- 10: chain after the seal-lag runs (every daemon tuning in turn on the same schema): {check}",
        ]);
    }

    private ResultRow LagRow(DaemonTuning tuning, double rate, Lag lag) => new()
    {
        Scenario = $"{Id}. {Title}, {tuning.Name}",
        Measure = $"append returned → sealed (the sealer's page committed), at {rate:N0} appends/s (half Ledger's saturation with {settings.Tenants} tenants, measured just before), open loop, {lag.Events:N0} appends",
        Goal = "p99 ≤ 100 ms",
        Verdict = lag.Unsealed > 0 ? "not met" : lag.P99Ms <= 100 ? "**met**" : "not met",
        Notes = $"p50 {lag.P50Ms:0.0} ms, p99 {lag.P99Ms:0.0} ms, max {lag.MaxMs:0.0} ms; the appends themselves (from when each was due) p50/p99 " +
                $"{lag.AppendP50Ms:0.0}/{lag.AppendP99Ms:0.0} ms{(lag.Errors > 0 ? $", {lag.Errors} failed" : "")}" +
                $"{(lag.Unsealed > 0 ? $", {lag.Unsealed} NOT SEALED within {SealDeadline.TotalSeconds:0} s" : "")}; {tuning.How}",
    };

    private sealed record Lag(double P50Ms, double P99Ms, double MaxMs, long Events, double AppendP50Ms, double AppendP99Ms, long Errors, long Unsealed);

    /// <summary>
    /// Appends at <paramref name="rate"/> (open loop) with the daemon running; for each, the time from its return to the
    /// sealer's callback for the first page committed through its seq_id.
    /// </summary>
    private async Task<Lag> SealLagAsync(LedgerSchema schema, long[] versions, int streamCount, int streamsPerTenant, double rate,
        InProcessWakeup? wakeup)
    {
        var ledger = schema.Sealing;
        var gate = new object();
        var pending = new List<(long Seq, long ReturnedAt)>();
        var lags = new List<double>();
        void OnSealed(long through)
        {
            var now = Stopwatch.GetTimestamp();
            lock (gate)
            {
                foreach (var (_, returned) in pending.Where(p => p.Seq <= through)) lags.Add(Stopwatch.GetElapsedTime(returned, now).TotalMilliseconds);
                pending.RemoveAll(p => p.Seq <= through);
            }
        }
        ledger.SealedThrough += OnSealed;
        var next = -1;
        // Streams in turn, each append alone on its stream (10,000 streams, a few hundred appends a second).
        var load = await LoadDriver.OpenLoop(rate, settings.RoundDuration * 2, async () =>
        {
            var s = (int)((uint)Interlocked.Increment(ref next) % (uint)streamCount);
            var seq = await AppendScenario.AppendOneAsync(ledger.EventStore, payloads, versions, s, streamsPerTenant, s);
            var returned = Stopwatch.GetTimestamp();
            lock (gate)
            {
                // Sealed before the append even returned: no lag to speak of.
                if (seq <= ledger.Progress.Known) lags.Add(0);
                else pending.Add((seq, returned));
            }
            wakeup?.Pulse();
        });
        var deadline = Stopwatch.GetTimestamp() + (long)(SealDeadline.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            lock (gate) if (pending.Count == 0) break;
            await Task.Delay(5);
        }
        ledger.SealedThrough -= OnSealed;
        lock (gate)
        {
            var sample = lags.ToArray();
            return new Lag(Series.Percentile(sample, 0.5), Series.Percentile(sample, 0.99), sample.Length > 0 ? sample.Max() : double.NaN,
                sample.Length, load.P50Ms, load.P99Ms, load.Errors, pending.Count);
        }
    }
}

using System.Diagnostics;
using Ledger.Bench.Infrastructure;
using Ledger.Bench.Report;
using Ledger.Bench.Scenarios.LedgerOnMarten;
using Ledger.EventStore;

namespace Ledger.Bench.Scenarios;

/// <summary>
/// Scenario 10 (issue 13): Ledger's production store on Marten (<c>MartenEventStore</c>, the chain sealed after commit
/// by <c>ChainSealer</c> on Marten's async daemon, as the Host runs it) in the same rotated rounds as plain Marten Quick
/// append (<see cref="MartenBaseline"/>) and the plain INSERT, for many tenants and one hot tenant; then the seal lag
/// (append returned → sealed) at half the many-tenant saturation rate, under Marten's default polling and the faster
/// ways to wake the daemon. The chain is checked after each part.
/// </summary>
public sealed class LedgerOnMartenScenario(BenchSettings settings, BenchDatabase database, Payloads payloads)
{
    private readonly StreamWriters writers = new(settings);

    private const string Id = "10";
    private const string Title = "Ledger on Marten";
    private static readonly TimeSpan SealDeadline = TimeSpan.FromSeconds(60);

    public async Task<ScenarioOutcome> RunAsync()
    {
        var rows = new List<ResultRow>();
        var details = new List<string>();
        double? manyTenantRate = null;
        foreach (var (tenants, label) in new[] { (settings.Tenants, $"{settings.Tenants} tenants"), (1, "one hot tenant") })
        {
            var part = await RunAsync(tenants, label, withLag: manyTenantRate is null);
            manyTenantRate ??= part.LedgerRate;
            rows.AddRange(part.Rows);
            details.AddRange(part.Details);
        }
        return new ScenarioOutcome(rows, details);
    }

    private sealed record Part(List<ResultRow> Rows, List<string> Details, double LedgerRate);

    private async Task<Part> RunAsync(int tenants, string label, bool withLag)
    {
        var streamsPerTenant = settings.Tenants * settings.StreamsPerTenant / tenants;
        var streamCount = tenants * streamsPerTenant;
        var perStream = Math.Max(1, settings.PreloadEvents / streamCount);
        var tag = tenants == 1 ? "hot" : "many";
        Log.Line($"{Id}. {Title}, {label}: {tenants} tenant(s) × {streamsPerTenant} streams, preloading {streamCount * perStream:N0} events per side");

        var baseline = await database.CreateBaselineAsync($"s10{tag}_base", Baselines.MinimalEventsTable);
        await using var plain = await MartenBaseline.CreateAsync(database, $"s10{tag}_marten");
        // Plain Marten once more, connected as Ledger's Host connects (LedgerDataSource), so the pool's settings are not
        // what the ratio measures: Npgsql's default reset (DISCARD ALL) makes PostgreSQL plan Marten's append function again
        // on every session.
        await using var pooled = await MartenBaseline.CreateAsync(database, $"s10{tag}_pooled", hostPool: true);
        await using var ledger = await MartenLedger.CreateAsync(database, $"s10{tag}_ledger");

        // Ledger's preload goes through its own store with the daemon stopped; sealing it is then the catch-up measured.
        await using (var preloading = await ledger.StartAsync(DaemonTuning.Defaults))
        {
            await preloading.Daemon.StopAllAsync();
            await Preload.LedgerStreamsAsync(preloading.EventStore, tenants, streamsPerTenant, perStream, payloads);
        }
        await plain.PreloadAsync(tenants, streamsPerTenant, perStream, payloads);
        await pooled.PreloadAsync(tenants, streamsPerTenant, perStream, payloads);
        await Baselines.CopyMinimalAsync(baseline, Enumerable.Range(0, streamCount).SelectMany(s =>
            Enumerable.Range(1, perStream).Select(v => (BaselineStream(s, streamsPerTenant), (long)v, payloads.Text(s + v)))));
        await BenchDatabase.AnalyzeAsync(baseline, "events");
        await BenchDatabase.AnalyzeAsync(database.AdminOn(plain.Schema), "mt_events", "mt_streams");
        await BenchDatabase.AnalyzeAsync(database.AdminOn(pooled.Schema), "mt_events", "mt_streams");
        await BenchDatabase.AnalyzeAsync(ledger.Admin, "mt_events", "mt_streams");

        // The daemon as the Host starts it, with the preload as its backlog: its catch-up rate, nothing else running.
        var preloaded = await ledger.LastEventAsync();
        var cpuBefore = CpuSample.Now();
        var clock = Stopwatch.StartNew();
        var running = await ledger.StartAsync(DaemonTuning.Defaults);
        await running.SealedAsync(preloaded, SealDeadline);
        var catchUpRate = preloaded / clock.Elapsed.TotalSeconds;
        var catchUpCpu = CpuSample.Now() - cpuBefore;
        var catchUp = $"the daemon sealed the preloaded {preloaded:N0} events from its start at {catchUpRate:N0} events/s " +
                      $"(CPU server {catchUpCpu.ServerMs * 1000 / preloaded:0} µs, client {catchUpCpu.ClientMs * 1000 / preloaded:0} µs per event)";
        Log.Line($"{Id}. {catchUp}");
        await BenchDatabase.AnalyzeAsync(ledger.Admin, "ledger_chain", "ledger_chain_heads");

        var versions = Enumerable.Range(0, 4).Select(_ => Enumerable.Repeat((long)perStream, streamCount).ToArray()).ToArray();
        var backlogAtRoundEnd = new Series("events");
        var sides = new List<Side>
        {
            new("plain INSERT", warmUp => writers.Run(warmUp, async (w, random, n) =>
            {
                var s = writers.PickStream(w, random, streamCount);
                await Baselines.InsertAsync(baseline, BaselineStream(s, streamsPerTenant), ++versions[0][s], payloads.Text(n));
            })),
            new("plain Marten", warmUp => writers.Run(warmUp, async (w, random, n) =>
            {
                var s = writers.PickStream(w, random, streamCount);
                await plain.AppendAsync(Preload.TenantId(s / streamsPerTenant), Preload.StreamId(s % streamsPerTenant), versions[1][s], MartenBaseline.Event(payloads, n));
                versions[1][s]++;
            })),
            new("plain Marten, Host's pool", warmUp => writers.Run(warmUp, async (w, random, n) =>
            {
                var s = writers.PickStream(w, random, streamCount);
                await pooled.AppendAsync(Preload.TenantId(s / streamsPerTenant), Preload.StreamId(s % streamsPerTenant), versions[3][s], MartenBaseline.Event(payloads, n));
                versions[3][s]++;
            })),
            new("Ledger on Marten", async warmUp =>
            {
                // The daemon runs throughout, as in the Host: its sealing shares the cores with the appends.
                var result = await writers.Run(warmUp, (w, random, n) => AppendAsync(running, versions[2], writers.PickStream(w, random, streamCount), streamsPerTenant, n));
                if (!warmUp) backlogAtRoundEnd.Add(await ledger.SequenceAsync() - running.Progress.Known);
                return result;
            }),
        };
        var outcomes = await Rounds.Rotate(settings.Rounds, "events/s", sides, label: $"{Id} {tag}");
        var (insert, martenSide, pooledSide, ledgerSide) = (outcomes[0], outcomes[1], outcomes[2], outcomes[3]);

        await running.SealedAsync(await ledger.LastEventAsync(), SealDeadline);
        var check = await SealedChain.VerifyAsync(ledger.Admin);
        Log.Line($"{Id}. chain after the rounds: {check}");
        var measure = $"events/s, {settings.Writers} writers, 1 event per append, {label}";
        var rows = new List<ResultRow>
        {
            new()
            {
                Scenario = $"{Id}. {Title}, {label}: plain Marten (baseline, as in 1, 2 and 9)",
                Measure = measure + "; against the plain INSERT",
                Figures = martenSide.Against(insert),
                Goal = "— (a baseline)",
                Notes = $"Marten {typeof(Marten.DocumentStore).Assembly.GetName().Version} Quick append, conjoined tenancy, string stream keys, one session per append with its expected version, no chain, " +
                        "Npgsql's default pool (DISCARD ALL when a connection is handed out again)" +
                        $"; append p50/p99 {martenSide.MedianOf(r => r.P50Ms):0.0}/{martenSide.MedianOf(r => r.P99Ms):0.0} ms" +
                        $"; CPU per event: {martenSide.CpuPerOperation} (INSERT {insert.CpuPerOperation})" + Errors(martenSide, insert),
            },
            new()
            {
                Scenario = $"{Id}. {Title}, {label}: plain Marten on the Host's pool (baseline)",
                Measure = measure + "; against the plain INSERT",
                Figures = pooledSide.Against(insert),
                Goal = "— (a baseline: what Ledger is divided by)",
                Notes = "the same plain Marten through LedgerDataSource's pool settings (No Reset On Close, auto-prepare), as Ledger's store connects" +
                        $"; ÷ plain Marten with Npgsql's defaults {Ratio(pooledSide, martenSide)}" +
                        $"; append p50/p99 {pooledSide.MedianOf(r => r.P50Ms):0.0}/{pooledSide.MedianOf(r => r.P99Ms):0.0} ms" +
                        $"; CPU per event: {pooledSide.CpuPerOperation}" + Errors(pooledSide, insert),
            },
            LedgerRow(label, measure, ledgerSide, pooledSide, martenSide, insert, check, backlogAtRoundEnd),
        };
        var details = new List<string>
        {
            $"- 10, {label}: {catchUp}",
            $"- 10, {label}: chain after the rounds: {check}",
        };

        if (withLag)
        {
            var rate = ledgerSide.Figures.Median / 2;
            var wakeup = new InProcessWakeup();
            DaemonTuning[] tunings = [DaemonTuning.Defaults, DaemonTuning.FastPolling(TimeSpan.FromMilliseconds(10)), DaemonTuning.ListenNotify, DaemonTuning.InProcessWakeup(wakeup)];
            foreach (var tuning in tunings)
            {
                await running.DisposeAsync();
                running = await ledger.StartAsync(tuning);
                await running.SealedAsync(await ledger.LastEventAsync(), SealDeadline);
                var lag = await SealLagAsync(running, versions[2], streamCount, streamsPerTenant, rate, tuning.PulseAfterAppend ? wakeup : null);
                Log.Line($"{Id}. seal lag at {rate:N0}/s, {tuning.Name}: p50 {lag.P50Ms:0.0} ms, p99 {lag.P99Ms:0.0} ms, max {lag.MaxMs:0.0} ms over {lag.Events:N0} appends");
                rows.Add(LagRow(tuning, rate, lag));
            }
            await running.SealedAsync(await ledger.LastEventAsync(), SealDeadline);
            var afterLag = await SealedChain.VerifyAsync(ledger.Admin);
            Log.Line($"{Id}. chain after the lag runs: {afterLag}");
            details.Add($"- 10, {label}: chain after the seal-lag runs (every daemon tuning in turn on the same schema): {afterLag}");
        }
        await running.DisposeAsync();
        return new Part(rows, details, ledgerSide.Figures.Median);
    }

    private ResultRow LedgerRow(string label, string measure, SideOutcome side, SideOutcome marten, SideOutcome martenDefaults, SideOutcome insert,
        SealedChain.Check check, Series backlog)
    {
        return new()
        {
            Scenario = $"{Id}. {Title}, {label}",
            Measure = measure + "; against plain Marten on the Host's pool",
            Figures = side.Against(marten),
            Goal = "≥ 0.9× plain Marten",
            GoalRatio = 0.9,
            Notes = $"÷ plain INSERT {Ratio(side, insert)}; ÷ plain Marten with Npgsql's default pool (the baseline of 1, 2 and 9) {Ratio(side, martenDefaults)}" +
                    $"; append p50/p99 {side.MedianOf(r => r.P50Ms):0.0}/{side.MedianOf(r => r.P99Ms):0.0} ms (plain Marten " +
                    $"{marten.MedianOf(r => r.P50Ms):0.0}/{marten.MedianOf(r => r.P99Ms):0.0} ms)" +
                    $"; CPU per event: {side.CpuPerOperation} (plain Marten {marten.CpuPerOperation})" + Errors(side, marten) +
                    "; MartenEventStore.AppendAsync (the event read into its typed shape, Ledger's id, time, correlation, causation and " +
                    "headers; Quick append with the application's timestamps) through the Host's pool as the application role, while " +
                    $"ChainSealer runs on Marten's async daemon (default polling) on the same cores; not yet sealed when a round ended: median {backlog.Median:N0} " +
                    $"events [{backlog.Min:N0}–{backlog.Max:N0}]; chain afterwards: {(check.Passed ? "whole" : "BROKEN")} ({check})",
        };
    }

    private ResultRow LagRow(DaemonTuning tuning, double rate, Lag lag) => new()
    {
        Scenario = $"{Id}. {Title}: seal lag, {tuning.Name}",
        Measure = $"append returned → sealed (the sealer's page committed), at {rate:N0} appends/s (half Ledger's saturation with {settings.Tenants} tenants), open loop, {lag.Events:N0} appends",
        Goal = "p99 ≤ 100 ms",
        Verdict = lag.Unsealed > 0 ? "not met" : lag.P99Ms <= 100 ? "**met**" : "not met",
        Notes = $"p50 {lag.P50Ms:0.0} ms, p99 {lag.P99Ms:0.0} ms, max {lag.MaxMs:0.0} ms; the appends themselves (from when each was due) p50/p99 " +
                $"{lag.AppendP50Ms:0.0}/{lag.AppendP99Ms:0.0} ms{(lag.Errors > 0 ? $", {lag.Errors} failed" : "")}" +
                $"{(lag.Unsealed > 0 ? $", {lag.Unsealed} NOT SEALED within {SealDeadline.TotalSeconds:0} s" : "")}; {tuning.How}",
    };

    private static string Ratio(SideOutcome side, SideOutcome baseline)
    {
        var c = side.Against(baseline);
        return $"{c.Ratio:0.00}× [{c.PairedRatios.Min:0.00}–{c.PairedRatios.Max:0.00}]";
    }

    private static string Errors(SideOutcome side, SideOutcome other) =>
        side.Errors + other.Errors > 0 ? $"; errors {side.Errors}/{other.Errors}: {side.FirstError ?? other.FirstError}" : "";

    /// <summary>One event through Ledger's store at its stream's known version; returns its seq_id.</summary>
    private async Task<long> AppendAsync(MartenLedger.Running ledger, long[] versions, int s, int streamsPerTenant, long n)
    {
        var append = new StreamAppend(Preload.StreamId(s % streamsPerTenant), ExpectedVersion.Exactly(versions[s]), [payloads.Event(n)]);
        var result = await ledger.EventStore.AppendAsync(Preload.TenantId(s / streamsPerTenant), [append]);
        versions[s]++;
        return result.LastPosition.Seq;
    }

    private sealed record Lag(double P50Ms, double P99Ms, double MaxMs, long Events, double AppendP50Ms, double AppendP99Ms, long Errors, long Unsealed);

    /// <summary>
    /// Appends at <paramref name="rate"/> (open loop) with the daemon running; for each, the time from its return to the
    /// sealer's callback for the first page committed through its seq_id.
    /// </summary>
    private async Task<Lag> SealLagAsync(MartenLedger.Running ledger, long[] versions, int streamCount, int streamsPerTenant, double rate,
        InProcessWakeup? wakeup)
    {
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
            var seq = await AppendAsync(ledger, versions, s, streamsPerTenant, s);
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

    private static string BaselineStream(int s, int streamsPerTenant) => $"{Preload.TenantId(s / streamsPerTenant)}/{Preload.StreamId(s % streamsPerTenant)}";
}

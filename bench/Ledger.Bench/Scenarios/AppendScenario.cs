using System.Diagnostics;
using Ledger.Bench.Infrastructure;
using Ledger.Bench.Report;
using Ledger.Bench.Scenarios.LedgerOnMarten;
using Ledger.EventStore;
using Ledger.EventStore.Chain;

namespace Ledger.Bench.Scenarios;

/// <summary>
/// Scenarios 1 and 2: writers each appending one event per request to a random stream, across many tenants (1) or
/// all in one hot tenant (2). Ledger's side is the production store on Marten (<c>MartenEventStore</c>, the chain
/// sealed after commit by <c>ChainSealer</c> on Marten's async daemon, running throughout as in the Host); in the same
/// rotated rounds: a plain INSERT into a minimal events table, plain Marten Quick append with Npgsql's default pool,
/// and plain Marten through the Host's pool settings, which Ledger's ratio is taken against. Each writer owns a
/// disjoint share of the streams and knows their versions, so every append states its exact expected version and none
/// conflicts: what is measured is the write path. The chain is checked afterwards.
/// </summary>
public sealed class AppendScenario(BenchSettings settings, BenchDatabase database, Payloads payloads)
{
    private static readonly TimeSpan SealDeadline = TimeSpan.FromSeconds(120);
    private readonly StreamWriters writers = new(settings);

    /// <param name="insertGoal">issue 7's goal against the plain INSERT, reported beside issue 13's against plain Marten.</param>
    public async Task<ScenarioOutcome> RunAsync(string id, string title, int tenants, double insertGoal)
    {
        var streamsPerTenant = settings.Tenants * settings.StreamsPerTenant / tenants;
        var streamCount = tenants * streamsPerTenant;
        var perStream = Math.Max(1, settings.PreloadEvents / streamCount);
        Log.Line($"{id}. {title}: {tenants} tenant(s) × {streamsPerTenant} streams, preloading {streamCount * perStream:N0} events per side");

        var baseline = await database.CreateBaselineAsync($"s{id}_base", Baselines.MinimalEventsTable);
        await using var plain = await MartenBaseline.CreateAsync(database, $"s{id}_marten");
        // Plain Marten once more, connected as Ledger's Host connects (LedgerDataSource), so the pool's settings are not
        // what the ratio measures: Npgsql's default reset (DISCARD ALL) makes PostgreSQL plan Marten's append function
        // again on every session.
        await using var pooled = await MartenBaseline.CreateAsync(database, $"s{id}_pooled", hostPool: true);
        await using var ledger = await database.CreateLedgerAsync($"s{id}");

        // Ledger's preload goes through its own store with the daemon stopped; sealing it is then the catch-up measured.
        await ledger.StopSealingAsync();
        await Preload.LedgerStreamsAsync(ledger.Store, tenants, streamsPerTenant, perStream, payloads);
        await plain.PreloadAsync(tenants, streamsPerTenant, perStream, payloads);
        await pooled.PreloadAsync(tenants, streamsPerTenant, perStream, payloads);
        await Baselines.CopyMinimalAsync(baseline, Enumerable.Range(0, streamCount).SelectMany(s =>
            Enumerable.Range(1, perStream).Select(v => (BaselineStream(s, streamsPerTenant), (long)v, payloads.Text(s + v)))));
        await BenchDatabase.AnalyzeAsync(baseline, "events");
        await BenchDatabase.AnalyzeAsync(database.AdminOn(plain.Schema), "mt_events", "mt_streams");
        await BenchDatabase.AnalyzeAsync(database.AdminOn(pooled.Schema), "mt_events", "mt_streams");
        await BenchDatabase.AnalyzeAsync(ledger.Admin, "mt_events", "mt_streams");
        var catchUp = await CatchUpAsync(ledger);
        Log.Line($"{id}. {catchUp}");

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
                await pooled.AppendAsync(Preload.TenantId(s / streamsPerTenant), Preload.StreamId(s % streamsPerTenant), versions[2][s], MartenBaseline.Event(payloads, n));
                versions[2][s]++;
            })),
            new("Ledger", async warmUp =>
            {
                // The daemon runs throughout, as in the Host: its sealing shares the cores with the appends.
                var result = await writers.Run(warmUp, (w, random, n) =>
                    AppendOneAsync(ledger.Store, payloads, versions[3], writers.PickStream(w, random, streamCount), streamsPerTenant, n));
                if (!warmUp) backlogAtRoundEnd.Add(await ledger.Ledger.SequenceAsync() - ledger.Sealing.Progress.Known);
                return result;
            }),
        };
        var outcomes = await Rounds.Rotate(settings.Rounds, "events/s", sides, label: id);
        var (insert, martenSide, pooledSide, ledgerSide) = (outcomes[0], outcomes[1], outcomes[2], outcomes[3]);

        // Whatever the write path, the chain must come out whole: every event sealed once, in seq_id order, each hash
        // recomputed; and the first tenant's chain through Ledger's own verifier.
        await ledger.SealedAsync(SealDeadline);
        var check = await SealedChain.VerifyAsync(ledger.Admin);
        var verification = await new ChainVerifier(ledger.App).VerifyAsync(Preload.TenantId(0));
        var verified = verification.Succeeded
            ? $"ChainVerifier on {Preload.TenantId(0)}: {verification.EntriesChecked:N0} entries, gapless"
            : $"ChainVerifier on {Preload.TenantId(0)} FAILED: {verification.Failure}";
        Log.Line($"{id}. chain after the rounds: {check}; {verified}");

        var measure = $"events/s, {settings.Writers} writers, 1 event per append";
        var rows = new List<ResultRow>
        {
            new()
            {
                Scenario = $"{id}. {title}: plain Marten (baseline)",
                Measure = measure + "; against the plain INSERT",
                Figures = martenSide.Against(insert),
                Goal = "— (a baseline)",
                Notes = $"Marten {typeof(Marten.DocumentStore).Assembly.GetName().Version} Quick append, conjoined tenancy, string stream keys, one session per append with its expected version, no chain, " +
                        "no audit entry, Npgsql's default pool (DISCARD ALL when a connection is handed out again)" +
                        $"; append p50/p99 {martenSide.MedianOf(r => r.P50Ms):0.0}/{martenSide.MedianOf(r => r.P99Ms):0.0} ms" +
                        $"; CPU per event: {martenSide.CpuPerOperation} (INSERT {insert.CpuPerOperation})" + Errors(martenSide, insert),
            },
            new()
            {
                Scenario = $"{id}. {title}: plain Marten on the Host's pool (baseline)",
                Measure = measure + "; against the plain INSERT",
                Figures = pooledSide.Against(insert),
                Goal = "— (a baseline: what Ledger is divided by)",
                Notes = "the same plain Marten through LedgerDataSource's pool settings (No Reset On Close, auto-prepare), as Ledger's store connects" +
                        $"; ÷ plain Marten with Npgsql's defaults {Ratio(pooledSide, martenSide)}" +
                        $"; append p50/p99 {pooledSide.MedianOf(r => r.P50Ms):0.0}/{pooledSide.MedianOf(r => r.P99Ms):0.0} ms" +
                        $"; CPU per event: {pooledSide.CpuPerOperation}" + Errors(pooledSide, insert),
            },
            new()
            {
                Scenario = $"{id}. {title}",
                Measure = measure + "; against plain Marten on the Host's pool",
                Figures = ledgerSide.Against(pooledSide),
                Goal = "≥ 0.9× plain Marten",
                GoalRatio = 0.9,
                Notes = $"÷ plain INSERT {Ratio(ledgerSide, insert)} (issue 7's goal against the INSERT: ≥ {insertGoal:0.0}×, " +
                        $"{(ledgerSide.Against(insert).Ratio >= insertGoal ? "met" : "not met")})" +
                        $"; ÷ plain Marten with Npgsql's default pool {Ratio(ledgerSide, martenSide)}" +
                        $"; append p50/p99 {ledgerSide.MedianOf(r => r.P50Ms):0.0}/{ledgerSide.MedianOf(r => r.P99Ms):0.0} ms (plain Marten on the Host's pool " +
                        $"{pooledSide.MedianOf(r => r.P50Ms):0.0}/{pooledSide.MedianOf(r => r.P99Ms):0.0} ms, INSERT {insert.MedianOf(r => r.P50Ms):0.0}/{insert.MedianOf(r => r.P99Ms):0.0} ms)" +
                        $"; CPU per event: {ledgerSide.CpuPerOperation} (plain Marten on the Host's pool {pooledSide.CpuPerOperation})" + Errors(ledgerSide, pooledSide) +
                        "; MartenEventStore.AppendAsync (the event read into its typed shape, Ledger's id, time, correlation, causation and " +
                        "headers; Quick append with the application's timestamps) through the Host's pool as the application role, while " +
                        $"ChainSealer runs on Marten's async daemon ({DaemonTuning.HostSetting.How}) on the same cores; not yet sealed when a round " +
                        $"ended: median {backlogAtRoundEnd.Median:N0} events [{backlogAtRoundEnd.Min:N0}–{backlogAtRoundEnd.Max:N0}]" +
                        $"; chain afterwards: {(check.Passed && verification.Succeeded ? "whole" : "BROKEN")}",
            },
        };
        return new ScenarioOutcome(rows, [$"- {id}: {catchUp}", $"- {id}: chain after the rounds: {check}; {verified}"]);
    }

    /// <summary>Starts the daemon on a preloaded backlog with nothing else running: its catch-up rate.</summary>
    public static async Task<string> CatchUpAsync(LedgerSchema ledger)
    {
        var preloaded = await ledger.Ledger.LastEventAsync();
        var cpuBefore = CpuSample.Now();
        var clock = Stopwatch.StartNew();
        await ledger.StartSealingAsync(DaemonTuning.HostSetting);
        await ledger.Sealing.SealedAsync(preloaded, SealDeadline);
        var rate = preloaded / clock.Elapsed.TotalSeconds;
        var cpu = CpuSample.Now() - cpuBefore;
        await BenchDatabase.AnalyzeAsync(ledger.Admin, "ledger_chain", "ledger_chain_heads");
        return $"the daemon sealed the preloaded {preloaded:N0} events from its start at {rate:N0} events/s " +
               $"(CPU server {cpu.ServerMs * 1000 / preloaded:0} µs, client {cpu.ClientMs * 1000 / preloaded:0} µs per event)";
    }

    /// <summary>One event through Ledger's store at its stream's known version; returns its seq_id.</summary>
    public static async Task<long> AppendOneAsync(IEventStore store, Payloads payloads, long[] versions, int s, int streamsPerTenant, long n)
    {
        var append = new StreamAppend(Preload.StreamId(s % streamsPerTenant), ExpectedVersion.Exactly(versions[s]), [payloads.Event(n)]);
        var result = await store.AppendAsync(Preload.TenantId(s / streamsPerTenant), [append]);
        versions[s]++;
        return result.LastPosition.Seq;
    }

    private static string Ratio(SideOutcome side, SideOutcome baseline)
    {
        var c = side.Against(baseline);
        return $"{c.Ratio:0.00}× [{c.PairedRatios.Min:0.00}–{c.PairedRatios.Max:0.00}]";
    }

    private static string Errors(SideOutcome side, SideOutcome other) =>
        side.Errors + other.Errors > 0 ? $"; errors {side.Errors}/{other.Errors}: {side.FirstError ?? other.FirstError}" : "";

    private static string BaselineStream(int s, int streamsPerTenant) => $"{Preload.TenantId(s / streamsPerTenant)}/{Preload.StreamId(s % streamsPerTenant)}";
}

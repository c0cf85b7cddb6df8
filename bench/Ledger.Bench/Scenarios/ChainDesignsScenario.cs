using System.Diagnostics;
using Ledger.Bench.Infrastructure;
using Ledger.Bench.Report;
using Ledger.Bench.Scenarios.ChainDesigns;
using Marten;
using Marten.Services;

namespace Ledger.Bench.Scenarios;

/// <summary>
/// Scenario 9 (issue 13): the two designs for Ledger's chain on Marten, prototyped on the plain Marten baseline's
/// store setup and measured in the same rotated rounds as plain Marten (no chain) and the plain INSERT, for many
/// tenants and for one hot tenant: (a) chained in the append's transaction (<see cref="ChainedAppendListener"/>) and
/// (b) plain appends sealed after commit by one sealer (<see cref="ChainSealer"/>), which also gets its seal lag at
/// half plain Marten's saturation rate and its catch-up rate over the preloaded backlog. Each side's chain is checked
/// afterwards: one entry per event, and every chain recomputes.
/// </summary>
public sealed class ChainDesignsScenario(BenchSettings settings, BenchDatabase database, Payloads payloads)
{
    private readonly StreamWriters writers = new(settings);

    private const string Id = "9";
    private const string Title = "Chain designs on Marten";

    public async Task<ScenarioOutcome> RunAsync()
    {
        var rows = new List<ResultRow>();
        var details = new List<string>();
        foreach (var (tenants, label) in new[] { (settings.Tenants, $"{settings.Tenants} tenants"), (1, "one hot tenant") })
        {
            var (r, d) = await RunAsync(tenants, label);
            rows.AddRange(r);
            details.AddRange(d);
        }
        return new ScenarioOutcome(rows, details);
    }

    private async Task<(List<ResultRow>, List<string>)> RunAsync(int tenants, string label)
    {
        var streamsPerTenant = settings.Tenants * settings.StreamsPerTenant / tenants;
        var streamCount = tenants * streamsPerTenant;
        var perStream = Math.Max(1, settings.PreloadEvents / streamCount);
        var tag = tenants == 1 ? "hot" : "many";
        Log.Line($"{Id}. {Title}, {label}: {tenants} tenant(s) × {streamsPerTenant} streams, preloading {streamCount * perStream:N0} events per side");

        var appenders = $"ledger-bench-s9-{tag}-appenders";
        var baseline = await database.CreateBaselineAsync($"s9{tag}_base", Baselines.MinimalEventsTable);
        await using var plain = await MartenBaseline.CreateAsync(database, $"s9{tag}_marten");
        await using var chained = await MartenBaseline.CreateAsync(database, $"s9{tag}_chained",
            configure: options => options.Listeners.Add(new ChainedAppendListener(options.DatabaseSchemaName)));
        await using var sealedStore = await MartenBaseline.CreateAsync(database, $"s9{tag}_sealed", applicationName: appenders);
        var chainedDb = database.AdminOn(chained.Schema);
        var sealedDb = database.AdminOn(sealedStore.Schema);
        await ChainTables.CreateAsync(chainedDb);
        await ChainTables.CreateAsync(sealedDb);

        await plain.PreloadAsync(tenants, streamsPerTenant, perStream, payloads);
        await chained.PreloadAsync(tenants, streamsPerTenant, perStream, payloads);
        await sealedStore.PreloadAsync(tenants, streamsPerTenant, perStream, payloads);
        await Baselines.CopyMinimalAsync(baseline, Enumerable.Range(0, streamCount).SelectMany(s =>
            Enumerable.Range(1, perStream).Select(v => ($"{Preload.TenantId(s / streamsPerTenant)}/{Preload.StreamId(s % streamsPerTenant)}", (long)v, payloads.Text(s + v)))));
        await BenchDatabase.AnalyzeAsync(baseline, "events");
        await BenchDatabase.AnalyzeAsync(database.AdminOn(plain.Schema), "mt_events", "mt_streams");
        await BenchDatabase.AnalyzeAsync(chainedDb, "mt_events", "mt_streams", "ledger_chain", "ledger_chain_heads");

        // The sealer's catch-up rate: the preloaded events are its backlog, sealed with nothing else running.
        var sealer = new ChainSealer(sealedDb, appenders);
        var backlog = Stopwatch.StartNew();
        var cpuBefore = CpuSample.Now();
        var caughtUp = await sealer.SealAvailableAsync();
        var catchUpCpu = CpuSample.Now() - cpuBefore;
        var catchUpRate = caughtUp / backlog.Elapsed.TotalSeconds;
        var catchUpCpuText = $"server {catchUpCpu.ServerMs * 1000 / caughtUp:0} µs, client {catchUpCpu.ClientMs * 1000 / caughtUp:0} µs per event";
        Log.Line($"{Id}. sealer caught up with a backlog of {caughtUp:N0} events at {catchUpRate:N0} events/s ({catchUpCpuText})");
        await BenchDatabase.AnalyzeAsync(sealedDb, "mt_events", "mt_streams", "ledger_chain", "ledger_chain_heads");

        var versions = Enumerable.Range(0, 4).Select(_ => Enumerable.Repeat((long)perStream, streamCount).ToArray()).ToArray();
        var backlogAtRoundEnd = new Series("events");
        var sides = new List<Side>
        {
            new("plain INSERT", warmUp => writers.Run(warmUp, async (w, random, n) =>
            {
                var s = writers.PickStream(w, random, streamCount);
                await Baselines.InsertAsync(baseline, $"{Preload.TenantId(s / streamsPerTenant)}/{Preload.StreamId(s % streamsPerTenant)}", ++versions[0][s], payloads.Text(n));
            })),
            new("plain Marten", warmUp => writers.Run(warmUp, (w, random, n) => AppendAsync(plain.Store, versions[1], writers.PickStream(w, random, streamCount), streamsPerTenant, n))),
            new("(a) chained in the append", warmUp => writers.Run(warmUp, (w, random, n) => AppendAsync(chained.Store, versions[2], writers.PickStream(w, random, streamCount), streamsPerTenant, n))),
            new("(b) sealed after commit", async warmUp =>
            {
                // The sealer runs alongside its appends (it shares the two cores with them), and only during its own rounds.
                using var stop = new CancellationTokenSource();
                var sealing = sealer.RunAsync(TimeSpan.FromMilliseconds(2), stop.Token);
                var result = await writers.Run(warmUp, (w, random, n) => AppendAsync(sealedStore.Store, versions[3], writers.PickStream(w, random, streamCount), streamsPerTenant, n));
                if (!warmUp) backlogAtRoundEnd.Add(await SequenceAsync(sealedDb) - sealer.SealedThrough);
                await stop.CancelAsync();
                await sealing;
                return result;
            }),
        };
        var outcomes = await Rounds.Rotate(settings.Rounds, "events/s", sides, label: $"{Id} {tag}");
        var (insert, martenSide, sideA, sideB) = (outcomes[0], outcomes[1], outcomes[2], outcomes[3]);

        // Seal lag at half plain Marten's saturation rate, open loop, the sealer running as it would in the Host.
        var rate = martenSide.Figures.Median / 2;
        var lag = await SealLagAsync(sealer, sealedStore.Store, versions[3], streamCount, streamsPerTenant, rate);
        Log.Line($"{Id}. seal lag at {rate:N0}/s: p50 {lag.P50Ms:0.0} ms, p99 {lag.P99Ms:0.0} ms over {lag.Events:N0} appends");

        var race = await RaceAsync(sealer, sealedStore.Store, appenders, versions[3], streamCount, streamsPerTenant);
        Log.Line($"{Id}. {race}");
        await sealer.SealAvailableAsync();
        var outOfSequence = await ChainTables.OutOfSequenceAsync(sealedDb);
        var checkA = await ChainTables.VerifyAsync(chainedDb);
        var checkB = await ChainTables.VerifyAsync(sealedDb);
        Log.Line($"{Id}. (a) {checkA}; (b) {checkB}");

        var measure = $"events/s, {settings.Writers} writers, 1 event per append, {label}";
        var rows = new List<ResultRow>
        {
            new()
            {
                Scenario = $"{Id}. {Title}, {label}: plain Marten (baseline)",
                Measure = measure + "; against the plain INSERT",
                Figures = martenSide.Against(insert),
                Goal = "— (a baseline: what the designs are divided by)",
                Notes = $"Quick append, conjoined tenancy, string stream keys, one session per append with its expected version, no chain" +
                        $"; append p50/p99 {martenSide.MedianOf(r => r.P50Ms):0.0}/{martenSide.MedianOf(r => r.P99Ms):0.0} ms" +
                        $"; CPU per event: {martenSide.CpuPerOperation} (INSERT {insert.CpuPerOperation})" + Errors(martenSide, insert),
            },
            DesignRow("9a", label, measure, sideA, martenSide, insert, checkA,
                "one more statement per event in Marten's batch (head upsert locked until commit, chain row insert), the entry hashed in the " +
                "BeforeSaveChangesAsync listener (the event serialised a second time for it)"),
            DesignRow("9b", label, measure, sideB, martenSide, insert, checkB,
                $"plain Quick appends while one sealer (batches of up to 1,000, one transaction each) runs on the same cores; backlog when a round " +
                $"ended: median {backlogAtRoundEnd.Median:N0} events [{backlogAtRoundEnd.Min:N0}–{backlogAtRoundEnd.Max:N0}]"),
            new()
            {
                Scenario = $"{Id}b. {Title}, {label}: seal lag",
                Measure = $"append returned → its chain row committed, at {rate:N0} appends/s (half plain Marten's saturation), open loop, {lag.Events:N0} appends",
                Goal = "p99 ≤ 100 ms",
                Verdict = lag.P99Ms <= 100 ? "**met**" : "not met",
                Notes = $"p50 {lag.P50Ms:0.0} ms, p99 {lag.P99Ms:0.0} ms, max {lag.MaxMs:0.0} ms; the appends themselves (from when each was due) p50/p99 " +
                        $"{lag.AppendP50Ms:0.0}/{lag.AppendP99Ms:0.0} ms{(lag.Errors > 0 ? $", {lag.Errors} failed" : "")}; the sealer looks again every 2 ms when idle, seals the gap-free run " +
                        $"of visible events at once and waits on the appenders' older transactions only to pass a gap; catch-up from a backlog of {caughtUp:N0} " +
                        $"events with nothing else running: {catchUpRate:N0} events/s, CPU {catchUpCpuText}",
            },
        };
        List<string> details =
        [
            $"- 9, {label}: after the rounds, (a) chained in the append: {checkA}",
            $"- 9, {label}: after the rounds, the lag run and the race, (b) sealed after commit: {checkB}; entries out of Marten's seq_id order in a tenant's chain: {outOfSequence}",
            $"- 9, {label}: race, (b): {race}",
        ];
        return (rows, details);
    }

    private ResultRow DesignRow(string id, string label, string measure, SideOutcome side, SideOutcome marten, SideOutcome insert,
        ChainTables.Check check, string how)
    {
        var overInsert = side.Against(insert);
        return new()
        {
            Scenario = $"{id}. {Title}, {label}: {side.Name}",
            Measure = measure + "; against plain Marten",
            Figures = side.Against(marten),
            Goal = "≥ 0.9× plain Marten",
            GoalRatio = 0.9,
            Notes = $"÷ plain INSERT {overInsert.Ratio:0.00}× [{overInsert.PairedRatios.Min:0.00}–{overInsert.PairedRatios.Max:0.00}]" +
                    $"; append p50/p99 {side.MedianOf(r => r.P50Ms):0.0}/{side.MedianOf(r => r.P99Ms):0.0} ms (plain Marten " +
                    $"{marten.MedianOf(r => r.P50Ms):0.0}/{marten.MedianOf(r => r.P99Ms):0.0} ms)" +
                    $"; CPU per event: {side.CpuPerOperation} (plain Marten {marten.CpuPerOperation})" + Errors(side, marten) +
                    $"; {how}; chain afterwards: {(check.Passed ? "whole" : "BROKEN")} ({check})",
        };
    }

    private static string Errors(SideOutcome side, SideOutcome other) =>
        side.Errors + other.Errors > 0 ? $"; errors {side.Errors}/{other.Errors}: {side.FirstError ?? other.FirstError}" : "";

    /// <summary>One event appended at its stream's known version; returns the seq_id Marten gave it.</summary>
    private async Task<long> AppendAsync(DocumentStore store, long[] versions, int s, int streamsPerTenant, long n)
    {
        await using var session = store.LightweightSession(Preload.TenantId(s / streamsPerTenant));
        var action = session.Events.Append(Preload.StreamId(s % streamsPerTenant), versions[s] + 1, MartenBaseline.Event(payloads, n));
        await session.SaveChangesAsync();
        versions[s]++;
        return action.Events[0].Sequence;
    }

    private sealed record Lag(double P50Ms, double P99Ms, double MaxMs, long Events, double AppendP50Ms, double AppendP99Ms, long Errors);

    private async Task<Lag> SealLagAsync(ChainSealer sealer, DocumentStore store, long[] versions, int streamCount, int streamsPerTenant, double rate)
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
        sealer.Sealed += OnSealed;
        using var stop = new CancellationTokenSource();
        var sealing = sealer.RunAsync(TimeSpan.FromMilliseconds(2), stop.Token);
        var next = -1;
        // Streams in turn, each append in flight alone on its stream (10,000 streams, a few hundred appends a second).
        var load = await LoadDriver.OpenLoop(rate, settings.RoundDuration * 2, async () =>
        {
            var s = (int)((uint)Interlocked.Increment(ref next) % (uint)streamCount);
            var seq = await AppendAsync(store, versions, s, streamsPerTenant, s);
            if (seq <= 0) throw new InvalidOperationException("Marten did not hand back the event's seq_id");
            var returned = Stopwatch.GetTimestamp();
            lock (gate)
            {
                // Sealed before the append even returned (its commit was seen first): no lag to speak of.
                if (seq <= sealer.SealedThrough) lags.Add(0);
                else pending.Add((seq, returned));
            }
        });
        var deadline = Stopwatch.GetTimestamp() + 30 * Stopwatch.Frequency;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            lock (gate) if (pending.Count == 0) break;
            await Task.Delay(5);
        }
        await stop.CancelAsync();
        await sealing;
        sealer.Sealed -= OnSealed;
        lock (gate)
        {
            if (pending.Count > 0) throw new InvalidOperationException($"{pending.Count} appends were never sealed");
            var sample = lags.ToArray();
            return new Lag(Series.Percentile(sample, 0.5), Series.Percentile(sample, 0.99), sample.Max(), sample.Length, load.P50Ms, load.P99Ms, load.Errors);
        }
    }

    /// <summary>
    /// Design (b) against a late commit and a rollback: one append held open for 2 s (its seq_id drawn first) while 4
    /// writers append behind it, and one append rolled back. The sealer must stand below the held event until it
    /// commits, then seal it in its place, and pass the rolled-back value; the check afterwards finds any skip.
    /// </summary>
    private async Task<string> RaceAsync(ChainSealer sealer, DocumentStore store, string appenders, long[] versions, int streamCount, int streamsPerTenant)
    {
        using var stop = new CancellationTokenSource();
        var sealing = sealer.RunAsync(TimeSpan.FromMilliseconds(2), stop.Token);
        // Writers 0-3 append below; streams 4 and 5 belong to writers 4 and 5, who are not running.
        var (held, rolledBack) = (4 % streamCount, 5 % streamCount);
        var connectionString = new Npgsql.NpgsqlConnectionStringBuilder(BenchDatabase.AdminConnectionString) { ApplicationName = appenders }.ConnectionString;
        await using var heldConnection = new Npgsql.NpgsqlConnection(connectionString);
        await heldConnection.OpenAsync();
        await using var heldTransaction = await heldConnection.BeginTransactionAsync();
        var heldSeq = await AppendInAsync(store, heldTransaction, versions, held, streamsPerTenant);
        await using (var rollbackConnection = new Npgsql.NpgsqlConnection(connectionString))
        {
            await rollbackConnection.OpenAsync();
            await using var rollback = await rollbackConnection.BeginTransactionAsync();
            await AppendInAsync(store, rollback, versions, rolledBack, streamsPerTenant);
            await rollback.RollbackAsync();
        }
        var behind = 0L;
        await LoadDriver.ClosedLoop(4, TimeSpan.FromSeconds(2), async w =>
        {
            await AppendAsync(store, versions, writers.PickStream(w, Random.Shared, streamCount), streamsPerTenant, w);
            Interlocked.Increment(ref behind);
        });
        var standing = sealer.SealedThrough;
        await heldTransaction.CommitAsync();
        versions[held]++;
        var deadline = Stopwatch.GetTimestamp() + 30 * Stopwatch.Frequency;
        while (sealer.SealedThrough < heldSeq && Stopwatch.GetTimestamp() < deadline) await Task.Delay(5);
        await stop.CancelAsync();
        await sealing;
        return $"one append held open 2 s (seq_id {heldSeq}) while {behind:N0} appends committed after it and one was rolled back: " +
               $"the sealer stood at {standing} until the held one committed ({(standing < heldSeq ? "below it, as it must" : "PAST IT")}), " +
               $"then sealed through {sealer.SealedThrough}";
    }

    private async Task<long> AppendInAsync(DocumentStore store, Npgsql.NpgsqlTransaction transaction, long[] versions, int s, int streamsPerTenant)
    {
        var options = SessionOptions.ForTransaction(transaction);
        options.TenantId = Preload.TenantId(s / streamsPerTenant);
        await using var session = store.LightweightSession(options);
        var action = session.Events.Append(Preload.StreamId(s % streamsPerTenant), versions[s] + 1, MartenBaseline.Event(payloads, s));
        await session.SaveChangesAsync();
        return action.Events[0].Sequence;
    }

    private static async Task<long> SequenceAsync(Npgsql.NpgsqlDataSource marten)
    {
        await using var command = marten.CreateCommand("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM mt_events_sequence");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

using Ledger.Bench.Infrastructure;
using Ledger.Bench.Report;
using Ledger.EventStore;

namespace Ledger.Bench.Scenarios;

/// <summary>
/// Scenarios 1 and 2: writers each appending one event per request to a random stream, across many tenants
/// (1) or all in one hot tenant (2), against a plain INSERT into a minimal events table with the same data and
/// the same number of writers. Each writer owns a disjoint share of the streams and knows their versions, so
/// every append states its exact expected version and none conflicts: what is measured is the write path.
/// </summary>
public sealed class AppendScenario(BenchSettings settings, BenchDatabase database, Payloads payloads)
{
    private readonly StreamWriters writers = new(settings);

    /// <summary>A variant of Ledger's write path to measure on the same schema.</summary>
    public sealed record Variant(string Name, Func<LedgerSchema, IEventStore> Store, string Notes = "");

    public async Task<ScenarioOutcome> RunAsync(string id, string title, int tenants, IReadOnlyList<Variant> variants,
        string goal, double goalRatio, Func<IReadOnlyList<SideOutcome>, List<string>>? details = null)
    {
        var streamsPerTenant = settings.Tenants * settings.StreamsPerTenant / tenants;
        var streamCount = tenants * streamsPerTenant;
        var perStream = Math.Max(1, settings.PreloadEvents / streamCount);
        Log.Line($"{id}. {title}: {tenants} tenant(s) × {streamsPerTenant} streams, preloading {streamCount * perStream:N0} events");

        var ledger = await database.CreateLedgerAsync($"s{id}");
        var baseline = await database.CreateBaselineAsync($"s{id}_base", Baselines.MinimalEventsTable);
        await using var marten = await MartenBaseline.CreateAsync(database, $"s{id}_marten");
        await Preload.LedgerStreamsAsync(ledger.Store(), tenants, streamsPerTenant, perStream, payloads);
        await marten.PreloadAsync(tenants, streamsPerTenant, perStream, payloads);
        await Baselines.CopyMinimalAsync(baseline, Enumerable.Range(0, streamCount).SelectMany(s =>
            Enumerable.Range(1, perStream).Select(v => (BaselineStream(s, streamsPerTenant), (long)v, payloads.Text(s + v)))));
        await BenchDatabase.AnalyzeAsync(ledger.Admin, "events", "streams", "chain_heads");
        await BenchDatabase.AnalyzeAsync(baseline, "events");

        var versions = new long[streamCount];
        Array.Fill(versions, perStream);
        var baselineVersions = (long[])versions.Clone();
        var martenVersions = (long[])versions.Clone();
        var sides = new List<Side>
        {
            new("baseline", warmUp => writers.Run(warmUp, async (w, random, n) =>
            {
                var s = writers.PickStream(w, random, streamCount);
                await Baselines.InsertAsync(baseline, BaselineStream(s, streamsPerTenant), ++baselineVersions[s], payloads.Text(n));
            })),
            new("plain Marten", warmUp => writers.Run(warmUp, async (w, random, n) =>
            {
                var s = writers.PickStream(w, random, streamCount);
                await marten.AppendAsync(Preload.TenantId(s / streamsPerTenant), Preload.StreamId(s % streamsPerTenant), martenVersions[s], MartenBaseline.Event(payloads, n));
                martenVersions[s]++;
            })),
        };
        var perTransaction = variants.Select(_ => new Series("events/tx")).ToArray();
        foreach (var (variant, index) in variants.Select((v, i) => (v, i)))
        {
            var store = variant.Store(ledger);
            sides.Add(new(variant.Name, async warmUp =>
            {
                var before = await MaxSeq(ledger);
                var result = await writers.Run(warmUp, async (w, random, n) =>
                {
                    var s = writers.PickStream(w, random, streamCount);
                    var append = new StreamAppend(Preload.StreamId(s % streamsPerTenant), ExpectedVersion.Exactly(versions[s]), [payloads.Event(n)]);
                    await store.AppendAsync(Preload.TenantId(s / streamsPerTenant), [append]);
                    versions[s]++;
                });
                if (!warmUp) perTransaction[index].Add(await EventsPerTransaction(ledger, before));
                return result;
            }));
        }

        var outcomes = await Rounds.Rotate(settings.Rounds, "events/s", sides, label: id);
        var baselineOutcome = outcomes[0];
        var martenOutcome = outcomes[1];
        // Whatever the write path, the chain must come out whole: verify the first tenant's from its first entry.
        var verification = await new Ledger.EventStore.Chain.ChainVerifier(ledger.App).VerifyAsync(Preload.TenantId(0));
        var chainNote = verification.Succeeded
            ? $"chain of {Preload.TenantId(0)} verified afterwards: {verification.EntriesChecked:N0} entries, gapless"
            : $"CHAIN VERIFICATION FAILED: {verification.Failure}";
        Log.Line($"{id}. {chainNote}");
        var rows = variants.Select((v, i) =>
        {
            var side = outcomes[i + 2];
            var overMarten = side.Against(martenOutcome);
            return new ResultRow
            {
                Scenario = variants.Count == 1 ? $"{id}. {title}" : $"{id}{(char)('a' + i)}. {title}: {v.Name}",
                Measure = $"events/s, {settings.Writers} writers, 1 event per append",
                Figures = side.Against(baselineOutcome),
                Goal = goal,
                GoalRatio = goalRatio,
                Notes = $"÷ plain Marten {overMarten.Ratio:0.00}× [{overMarten.PairedRatios.Min:0.00}–{overMarten.PairedRatios.Max:0.00}]; " +
                        $"append p50/p99 {side.MedianOf(r => r.P50Ms):0.0}/{side.MedianOf(r => r.P99Ms):0.0} ms " +
                        $"(baseline {baselineOutcome.MedianOf(r => r.P50Ms):0.0}/{baselineOutcome.MedianOf(r => r.P99Ms):0.0} ms)" +
                        (side.Errors + baselineOutcome.Errors > 0 ? $"; errors {side.Errors}/{baselineOutcome.Errors}: {side.FirstError ?? baselineOutcome.FirstError}" : "") +
                        $"; {perTransaction[i].Median:0.0} events per transaction" +
                        $"; CPU per event: {side.CpuPerOperation} (baseline {baselineOutcome.CpuPerOperation})" +
                        (v.Notes.Length > 0 ? "; " + v.Notes : ""),
            };
        }).ToList();
        rows.Insert(0, new ResultRow
        {
            Scenario = $"{id}. {title}: plain Marten (baseline)",
            Measure = $"events/s, {settings.Writers} writers, 1 event per append",
            Figures = martenOutcome.Against(baselineOutcome),
            Goal = "— (a baseline: what Ledger's rows are also divided by)",
            GoalRatio = null,
            Notes = $"Marten {typeof(Marten.DocumentStore).Assembly.GetName().Version} Quick append, conjoined tenancy, string stream keys, one session per append with its expected version, no chain, no audit entry" +
                    $"; append p50/p99 {martenOutcome.MedianOf(r => r.P50Ms):0.0}/{martenOutcome.MedianOf(r => r.P99Ms):0.0} ms" +
                    (martenOutcome.Errors > 0 ? $"; errors {martenOutcome.Errors}: {martenOutcome.FirstError}" : "") +
                    $"; CPU per event: {martenOutcome.CpuPerOperation}",
        });
        return new ScenarioOutcome(rows, [chainNote, .. details?.Invoke(outcomes) ?? []]);
    }

    private static async Task<long> MaxSeq(LedgerSchema ledger)
    {
        await using var command = ledger.Admin.CreateCommand("SELECT coalesce(max(seq), 0) FROM events");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>How many appends shared a transaction: events written since <paramref name="afterSeq"/> over their distinct transactions.</summary>
    private static async Task<double> EventsPerTransaction(LedgerSchema ledger, long afterSeq)
    {
        await using var command = ledger.Admin.CreateCommand("SELECT count(*)::float8 / greatest(count(DISTINCT tx_id), 1) FROM events WHERE seq > $1");
        command.Parameters.Add(new() { Value = afterSeq });
        return (double)(await command.ExecuteScalarAsync())!;
    }

    private static string BaselineStream(int s, int streamsPerTenant) => $"{Preload.TenantId(s / streamsPerTenant)}/{Preload.StreamId(s % streamsPerTenant)}";
}

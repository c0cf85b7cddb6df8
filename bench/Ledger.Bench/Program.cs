using System.Diagnostics;
using Ledger.Bench;
using Ledger.Bench.Infrastructure;
using Ledger.Bench.Report;
using Ledger.Bench.Scenarios;

// `make bench` / `make bench QUICK=1`: runs every scenario of issue 7 and writes bench/RESULTS.md.
var settings = BenchSettings.Parse(args);
var started = Stopwatch.StartNew();
Log.Line($"Ledger bench ({(settings.Quick ? "quick" : "full")}), PostgreSQL {BenchDatabase.AdminConnectionString}, RabbitMQ {Broker.Uri.Host}:{Broker.Uri.Port}");

await using var database = new BenchDatabase();
var rabbitMq = await Broker.VersionAsync();
Log.Line("describing the machine (pg_test_fsync takes a moment)");
var machine = await Machine.DescribeAsync(database.Server, rabbitMq, settings.FsyncSecondsPerTest);
var payloads = new Payloads();
Log.Line($"event data: {payloads.AverageBytes} bytes on average");

var outcomes = new List<(string, ScenarioOutcome)>();
foreach (var (id, run) in Scenarios.All(settings, database, payloads))
{
    if (!settings.Runs(id)) continue;
    try
    {
        outcomes.Add((id, await run()));
    }
    catch (Exception e) when (e is not OutOfMemoryException)
    {
        Log.Line($"scenario {id} failed: {e}");
        outcomes.Add((id, new ScenarioOutcome([new ResultRow
        {
            Scenario = $"{id}. (failed)", Measure = "—", Goal = "—", Verdict = "failed",
            Notes = $"the harness failed: {e.GetType().Name}: {e.Message}",
        }], [])));
    }
}

var output = RepoPaths.Resolve(settings.Output);
var loadAtEnd = Machine.LoadAverage();
var results = ResultsWriter.Render(settings, machine, outcomes, started.Elapsed, loadAtEnd);
// Some scenarios alone (--only): written into the last run's file, whose other scenarios stay.
if (settings.Only.Count > 0 && File.Exists(output))
{
    var ran = outcomes.Select(o => o.Item1).ToList();
    var command = $"make bench{(settings.Quick ? " QUICK=1" : "")} BENCH_ARGS='{string.Join(' ', args.Where(a => a != "--quick"))}'";
    var note = ResultsMerge.Note(ran, command, started.Elapsed, machine.LoadAtStart, loadAtEnd);
    results = ResultsMerge.Merge(await File.ReadAllTextAsync(output), results, ran, note) ?? results;
}
await File.WriteAllTextAsync(output, results);
Log.Line($"wrote {output} in {started.Elapsed.TotalMinutes:0.0} min");
return 0;

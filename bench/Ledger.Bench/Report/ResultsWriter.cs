using System.Globalization;
using System.Text;
using Ledger.Bench.Infrastructure;

namespace Ledger.Bench.Report;

/// <summary>Writes bench/RESULTS.md: the machine, the table, the details, and how the figures were taken.</summary>
public static class ResultsWriter
{
    public static string Render(BenchSettings settings, Machine machine, IReadOnlyList<(string Id, ScenarioOutcome Outcome)> outcomes,
        TimeSpan elapsed, string loadAtEnd)
    {
        var md = new StringBuilder();
        md.AppendLine("# Ledger benchmark results");
        md.AppendLine();
        md.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Written by `make bench{(settings.Quick ? " QUICK=1" : "")}` on {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC in {elapsed.TotalMinutes:0.0} min ") +
            $"({(settings.Quick ? "quick run: smaller sizes, shorter rounds" : "full run")}; {settings.Rounds} rounds per measurement after a warm-up, " +
            "Ledger and baseline rounds alternating).");
        md.AppendLine();
        md.AppendLine("Only the **ratios** mean something: Ledger and its baseline ran in the same process, on the same server, in");
        md.AppendLine("alternating rounds. Absolute figures move with the machine and with whatever else it was doing.");
        md.AppendLine();
        md.AppendLine("## Results");
        md.AppendLine();
        md.AppendLine("Figures are `median [min–max]` over the rounds; the ratio is median over median, with the range of the");
        md.AppendLine("round-by-round ratios in brackets.");
        md.AppendLine();
        md.AppendLine("| scenario | measure | Ledger | baseline | ratio | goal | verdict | notes |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var row in outcomes.SelectMany(o => o.Outcome.Rows))
        {
            var f = row.Figures;
            var ratio = f is null || f.Ledger.Count == 0 || f.Baseline.Count == 0
                ? "—"
                : $"{f.Ratio:0.00}× [{f.PairedRatios.Min:0.00}–{f.PairedRatios.Max:0.00}]";
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Scenario} | {row.Measure} | {f?.Ledger.Describe() ?? "—"} | {f?.Baseline.Describe() ?? "—"} | {ratio} | {row.Goal} | {row.VerdictText} | {Cell(row.Notes)} |");
        }
        md.AppendLine();

        md.AppendLine("## The machine");
        md.AppendLine();
        foreach (var fact in machine.Facts) md.AppendLine(CultureInfo.InvariantCulture, $"- **{fact.Name}**: {fact.Value}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- **load average** (1, 5, 15 min) at start: {machine.LoadAtStart}; at end: {loadAtEnd} — other engineers' builds and tests share these cores, which is why only same-run ratios count");
        md.AppendLine(CultureInfo.InvariantCulture, $"- **PostgreSQL settings**: {string.Join(", ", machine.PgSettings.Select(s => $"`{s}`"))}");
        md.AppendLine();
        md.AppendLine("`pg_test_fsync` (the rate at which this disk makes a commit durable caps every single-writer commit rate):");
        md.AppendLine();
        md.AppendLine("```");
        foreach (var line in machine.Fsync) md.AppendLine(line);
        md.AppendLine("```");
        md.AppendLine();

        md.AppendLine("## Details per scenario");
        md.AppendLine();
        foreach (var (id, outcome) in outcomes.Where(o => o.Outcome.Details.Count > 0))
        {
            // The scenario's title without a variant's letter and name ("2b. Append, one hot tenant: grouped" → "2. Append, one hot tenant").
            var title = outcome.Rows.FirstOrDefault()?.Scenario.Split(": ")[0] ?? id;
            md.AppendLine(CultureInfo.InvariantCulture, $"### {id}. {title[(title.IndexOf(' ', StringComparison.Ordinal) + 1)..]}");
            md.AppendLine();
            foreach (var line in outcome.Details) md.AppendLine(line);
            md.AppendLine();
        }

        md.AppendLine("## How the figures are taken");
        md.AppendLine();
        md.AppendLine("See `bench/README.md`. In short: every scenario gets fresh `bench_*` schemas (dropped afterwards), the tables are");
        md.AppendLine("preloaded and `VACUUM ANALYZE`d before measuring, each measurement has a warm-up and several rounds, and each");
        md.AppendLine("baseline does the same work without Ledger (plain SQL or a plain client) with the same ~500-byte event data and");
        md.AppendLine("the same concurrency.");
        return md.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}

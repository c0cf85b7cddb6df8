namespace Ledger.Bench.Infrastructure;

/// <summary>One side of a comparison: a warm-up run, then one run per round. The flag says "this is the warm-up".</summary>
public delegate Task<RoundResult> Measured(bool warmUp);

/// <summary>A named side: the baseline, or one variant of Ledger.</summary>
public sealed record Side(string Name, Measured Run);

/// <summary>What one side did over all rounds.</summary>
public sealed record SideOutcome(string Name, Series Figures, IReadOnlyList<RoundResult> Rounds)
{
    public long Errors => Rounds.Sum(r => r.Errors);
    public string? FirstError => Rounds.Select(r => r.FirstError).FirstOrDefault(e => e is not null);
    public double MedianOf(Func<RoundResult, double> pick) => Series.Percentile(Rounds.Select(pick).ToArray(), 0.5);

    /// <summary>"server 120 µs, client 45 µs": the median CPU per operation over the rounds.</summary>
    public string CpuPerOperation => $"server {MedianOf(r => r.ServerCpuUs):0} µs, client {MedianOf(r => r.ClientCpuUs):0} µs";

    /// <summary>This side against <paramref name="baseline"/>, round by round.</summary>
    public Comparison Against(SideOutcome baseline)
    {
        var comparison = new Comparison(Figures.Unit);
        foreach (var v in Figures.Values) comparison.Ledger.Add(v);
        foreach (var v in baseline.Figures.Values) comparison.Baseline.Add(v);
        return comparison;
    }
}

/// <summary>
/// Warm-up, then rounds in which the sides take turns in a rotating order (A B C, B C A, C A B, …), so that a burst of
/// load from elsewhere on the machine lands on every side rather than on one. Only same-round ratios are compared.
/// </summary>
public static class Rounds
{
    public static async Task<IReadOnlyList<SideOutcome>> Rotate(int rounds, string unit, IReadOnlyList<Side> sides,
        Func<RoundResult, double>? figure = null, string label = "")
    {
        figure ??= r => r.OpsPerSecond;
        var results = sides.Select(_ => new List<RoundResult>()).ToArray();
        foreach (var side in sides)
        {
            Log.Line($"  {label} warm-up: {side.Name}");
            await side.Run(true);
        }
        for (var round = 0; round < rounds; round++)
        {
            for (var k = 0; k < sides.Count; k++)
            {
                var i = (round + k) % sides.Count;
                var before = CpuSample.Now();
                var result = await sides[i].Run(false);
                results[i].Add(result with { Cpu = CpuSample.Now() - before });
            }
            Log.Line($"  {label} round {round + 1}: " + string.Join(", ", sides.Select((s, i) =>
            {
                var r = results[i][^1];
                return $"{s.Name} {Series.Format(figure(r))} {unit}" + (r.Errors > 0 ? $" ({r.Errors} errors: {r.FirstError})" : "");
            })));
        }
        return sides.Select((s, i) =>
        {
            var series = new Series(unit);
            foreach (var r in results[i]) series.Add(figure(r));
            return new SideOutcome(s.Name, series, results[i]);
        }).ToList();
    }
}

public static class Log
{
    private static readonly System.Diagnostics.Stopwatch Clock = System.Diagnostics.Stopwatch.StartNew();

    public static void Line(string text) => Console.WriteLine($"[{Clock.Elapsed:mm\\:ss}] {text}");
}

using Ledger.Bench.Infrastructure;

namespace Ledger.Bench.Report;

/// <summary>One line of the results table: a scenario (or a variant of one), its figures and what they mean.</summary>
public sealed record ResultRow
{
    public required string Scenario { get; init; }
    public required string Measure { get; init; }
    public Comparison? Figures { get; init; }
    public required string Goal { get; init; }
    /// <summary>The ratio the goal asks for, when the goal is a ratio; the verdict then follows from the figures.</summary>
    public double? GoalRatio { get; init; }
    /// <summary>A verdict the scenario decided itself (a latency goal, or "not yet").</summary>
    public string? Verdict { get; init; }
    public string Notes { get; init; } = "";

    public string VerdictText => Verdict ?? (Figures is null || GoalRatio is null
        ? "—"
        : Figures.Ratio >= GoalRatio ? "**met**" : "not met");

    public static ResultRow NotYet(string scenario, string measure, string goal, string missing, Comparison? baselineOnly = null) => new()
    {
        Scenario = scenario,
        Measure = measure,
        Figures = baselineOnly,
        Goal = goal,
        Verdict = "not yet",
        Notes = "not yet: " + missing,
    };
}

/// <summary>What a scenario hands back: its rows and any detail worth a paragraph under the table.</summary>
public sealed record ScenarioOutcome(IReadOnlyList<ResultRow> Rows, IReadOnlyList<string> Details);

namespace Ledger.Bench;

/// <summary>
/// How big and how long. <c>--quick</c> (or <c>QUICK=1</c>) is the short version for iterating (under five
/// minutes with the build); the full run uses the sizes the issue names (1,000,000 events and so on).
/// </summary>
public sealed record BenchSettings
{
    public bool Quick { get; init; }
    public int Rounds { get; init; } = 5;
    public TimeSpan RoundDuration { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(5);
    public int Writers { get; init; } = 8;
    public int Tenants { get; init; } = 100;
    public int StreamsPerTenant { get; init; } = 100;
    /// <summary>Events already in the table before an append scenario measures (then ANALYZE).</summary>
    public int PreloadEvents { get; init; } = 200_000;
    public int BulkEvents { get; init; } = 1_000_000;
    public int BulkBatch { get; init; } = 1_000;
    public int BulkRounds { get; init; } = 3;
    public int VerifyEvents { get; init; } = 1_000_000;
    public int ProjectionEvents { get; init; } = 1_000_000;
    public int RelayEvents { get; init; } = 1_000_000;
    public int HttpConcurrency { get; init; } = 8;
    public int FsyncSecondsPerTest { get; init; } = 2;
    public string Output { get; init; } = "bench/RESULTS.md";
    public IReadOnlySet<string> Only { get; init; } = new HashSet<string>();

    public static BenchSettings Full { get; } = new();

    public static BenchSettings QuickRun { get; } = new()
    {
        Quick = true,
        Rounds = 3,
        RoundDuration = TimeSpan.FromSeconds(3),
        WarmUp = TimeSpan.FromSeconds(1),
        PreloadEvents = 20_000,
        BulkEvents = 30_000,
        BulkRounds = 3,
        VerifyEvents = 30_000,
        // Large enough that a catch-up's fixed costs (a rebuild's new tables and swap, the relay's first page, which
        // nothing overlaps) do not decide the figure, small enough to keep the quick run under five minutes.
        ProjectionEvents = 50_000,
        RelayEvents = 30_000,
        FsyncSecondsPerTest = 1,
    };

    /// <summary><c>--whole-store-rounds N</c>: more rounds of scenarios 5 and 6 alone, when two are too few to see a change through the noise.</summary>
    public int? WholeStoreRoundsChosen { get; init; }

    /// <summary>Rounds for the scenarios whose every round processes a whole store (5, 6): fewer in the quick run.</summary>
    public int WholeStoreRounds => WholeStoreRoundsChosen ?? (Quick ? 2 : Math.Min(Rounds, 3));

    public bool Runs(string scenario) => Only.Count == 0 || Only.Contains(scenario);

    /// <summary><c>--quick</c>, <c>--only 1,2,7</c>, <c>--rounds N</c>, <c>--whole-store-rounds N</c>, <c>--output PATH</c>; QUICK=1 in the environment means --quick.</summary>
    public static BenchSettings Parse(string[] args)
    {
        var quick = args.Contains("--quick") || Environment.GetEnvironmentVariable("QUICK") is "1" or "true" or "yes";
        var settings = quick ? QuickRun : Full;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--only" when i + 1 < args.Length:
                    settings = settings with { Only = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet() };
                    break;
                case "--rounds" when i + 1 < args.Length:
                    settings = settings with { Rounds = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture) };
                    break;
                case "--whole-store-rounds" when i + 1 < args.Length:
                    settings = settings with { WholeStoreRoundsChosen = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture) };
                    break;
                case "--output" when i + 1 < args.Length:
                    settings = settings with { Output = args[++i] };
                    break;
                case "--quick":
                    break;
                default:
                    throw new ArgumentException($"unknown argument '{args[i]}' (use --quick, --only 1,2,7, --rounds N, --whole-store-rounds N, --output PATH)");
            }
        }
        return settings;
    }
}

namespace Ledger.Projections.OnMarten;

/// <summary><c>Ledger:Projections</c>: how the read models run on Marten's daemon, retry and answer read-your-writes.</summary>
public sealed class ProjectionOptions
{
    public const string Section = "Ledger:Projections";

    /// <summary>
    /// Register the read models' projections on this process's daemon. Every host of one schema must agree: the daemon
    /// runs HotCold, and its leader runs what its own store registered.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Events per page Marten hands a projection (one transaction each).</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>
    /// Fold a page's statements of one text into one set-based statement each (<see cref="Model.SetBasedUpsert"/>);
    /// false applies one statement per event, as the read model wrote it (slower, for comparison and as a way out).
    /// </summary>
    public bool SetBased { get; set; } = true;

    /// <summary>How often the supervisor looks at this process's projections for one Marten paused.</summary>
    public TimeSpan SuperviseInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Attempts at an event that fails before the projection stops with status <c>failed</c>.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Delay before the second attempt; it doubles with each attempt up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a read asking for a position (read-your-writes) waits for the projection to reach it.</summary>
    public TimeSpan ReadYourWritesTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan RetryDelay(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(RetryMaxDelay.TotalMilliseconds, RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempt - 1))));
}

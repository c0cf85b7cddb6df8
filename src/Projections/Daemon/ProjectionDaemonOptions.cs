namespace Ledger.Projections.Daemon;

/// <summary><c>Ledger:Projections</c>: how the daemon reads, retries and shares projections between processes.</summary>
public sealed class ProjectionDaemonOptions
{
    public const string Section = "Ledger:Projections";

    /// <summary>Run the daemon in this process (a process may serve only the API, or only run projections).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Events read and applied per transaction.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>
    /// Fold a batch's statements of one text into one set-based statement each (<see cref="SetBasedUpsert"/>); false
    /// applies one statement per event, as the projection wrote it (slower, for comparison and as a way out).
    /// </summary>
    public bool SetBased { get; set; } = true;

    /// <summary>How often an idle projection looks for events when no notification came (the fallback poll).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// When committed events cannot be read yet (they sit above the read horizon while an older transaction is still
    /// open), the first look again comes after this delay, doubling up to <see cref="PollInterval"/>.
    /// </summary>
    public TimeSpan HorizonRetryDelay { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>How often a process tries to take projections nobody holds, and checks it still holds its own.</summary>
    public TimeSpan LeaseInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Attempts at an event that fails before the projection stops with status <c>failed</c>.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Delay before the second attempt; it doubles with each attempt up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a read asking for a position (read-your-writes) waits for the projection to reach it.</summary>
    public TimeSpan ReadYourWritesTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Who holds a lease, as the status shows it.</summary>
    public string Owner { get; set; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    public TimeSpan RetryDelay(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(RetryMaxDelay.TotalMilliseconds, RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempt - 1))));
}

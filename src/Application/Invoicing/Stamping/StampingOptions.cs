namespace Ledger.Application.Invoicing.Stamping;

/// <summary>
/// How stamping waits and retries (<c>Ledger:Invoicing:Stamping</c>). An invoice must bear a stamp by
/// <see cref="Deadline"/> after its issue: the authority's, or else a contingency seal. Attempts stop
/// <see cref="ContingencyReserve"/> before the deadline so that the seal is signed and recorded in time.
/// </summary>
public sealed class StampingOptions
{
    public const string Section = "Ledger:Invoicing:Stamping";

    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(3);

    public TimeSpan ContingencyReserve { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one call to the authority may take while reconciling (before the deadline, the deadline bounds it).</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First wait after a failed attempt; each further failure doubles it, up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Wait after a contingency seal before the first attempt to reconcile.</summary>
    public TimeSpan ReconcileDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between reconciliation attempts while the authority stays down.</summary>
    public TimeSpan ReconcileMaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a worker looks for due work when nothing wakes it (work of other processes).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a claimed item stays a worker's before another may take it (the worker died).</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    public int BatchSize { get; set; } = 32;

    public int MaxParallelism { get; set; } = 8;

    /// <summary>When to stop calling an authority that keeps failing (<see cref="GuardedFiscalAuthority"/>).</summary>
    public AuthorityBreakerOptions Breaker { get; set; } = new();

    /// <summary>The wait before attempt <paramref name="failures"/> + 1: exponential, capped, with jitter so retries spread.</summary>
    public TimeSpan Backoff(int failures, TimeSpan cap)
    {
        var exponential = InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Clamp(failures - 1, 0, 20));
        var capped = Math.Min(exponential, cap.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + Random.Shared.NextDouble() / 2));
    }
}

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

    /// <summary>How many invoices a process stamps at once (the stamping queue's parallel handlings; each may wait on the authority until the cut-off).</summary>
    public int MaxParallelism { get; set; } = 8;

    /// <summary>When to stop calling an authority that keeps failing (<see cref="GuardedFiscalAuthority"/>).</summary>
    public AuthorityBreakerOptions Breaker { get; set; } = new();

    /// <summary>
    /// Settings of the table queue that Wolverine's queue replaced (docs/invoicing.md): a host that still sets one
    /// stops at start rather than run without what the operator meant.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Retired = new Dictionary<string, string>
    {
        [Section + ":PollInterval"] = "nothing polls: the stamping shard queues each invoice as its issue commits",
        [Section + ":Lease"] = "no claims: a dead host's messages are recovered once Wolverine takes its node for dead (Ledger:Messaging:Outbox:DeadHostTimeout)",
        [Section + ":BatchSize"] = "no claims: MaxParallelism bounds the invoices stamped at once",
        ["Ledger:Invoicing:StampingWorker"] = "every host handles the stamping queue; the shard runs where Marten's daemon leads",
    };

    /// <summary>What the stamping path needs to hold together, said in the settings' own names; empty when valid.</summary>
    public IEnumerable<string> Problems()
    {
        if (Deadline <= TimeSpan.Zero || ContingencyReserve <= TimeSpan.Zero || ContingencyReserve >= Deadline)
            yield return "Deadline and ContingencyReserve must be positive, the reserve shorter than the deadline";
        if (CallTimeout <= TimeSpan.Zero) yield return "CallTimeout must be positive";
        if (InitialBackoff <= TimeSpan.Zero || MaxBackoff < InitialBackoff) yield return "InitialBackoff must be positive and MaxBackoff at least as long";
        if (ReconcileDelay < TimeSpan.Zero || ReconcileMaxBackoff <= TimeSpan.Zero) yield return "ReconcileDelay must not be negative and ReconcileMaxBackoff must be positive";
        if (MaxParallelism is < 1 or > 1024) yield return "MaxParallelism must be between 1 and 1024";
    }

    /// <summary>The wait before attempt <paramref name="failures"/> + 1: exponential, capped, with jitter so retries spread.</summary>
    public TimeSpan Backoff(int failures, TimeSpan cap)
    {
        var exponential = InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Clamp(failures - 1, 0, 20));
        var capped = Math.Min(exponential, cap.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + Random.Shared.NextDouble() / 2));
    }
}

namespace Ledger.EventStore.Chain;

public enum ChainFailureReason
{
    /// <summary>The stored entry hash is not the hash of the stored record: the event was altered.</summary>
    HashMismatch,

    /// <summary>The entry's chain hash does not follow from the previous one: entries were reordered, or one was replaced with its hashes.</summary>
    BrokenLink,

    /// <summary>A chain position is missing: an entry was deleted (or renumbered).</summary>
    Gap,

    /// <summary>The chain ends before the tenant's recorded head: entries at the end were deleted.</summary>
    MissingTail,
}

/// <summary>The first place a chain fails to verify, and why.</summary>
public sealed record ChainFailure(long Position, ChainFailureReason Reason, string Detail);

/// <summary>
/// What a walk over a tenant's chain found: the entries from <see cref="From"/> through
/// <see cref="VerifiedThrough"/> verified; <see cref="Failure"/> is the first problem, if any.
/// </summary>
public sealed record ChainVerification(
    string TenantId,
    long From,
    long VerifiedThrough,
    long EntriesChecked,
    byte[] LastChainHash,
    ChainFailure? Failure)
{
    public bool Succeeded => Failure is null;
}

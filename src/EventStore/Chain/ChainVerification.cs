namespace Ledger.EventStore.Chain;

/// <summary>
/// Why a chain, or an export of one, fails to verify. The first four are found by walking the entries
/// alone; the others need what vouches for the chain from outside it: signed checkpoints and signed exports.
/// </summary>
public enum ChainFailureReason
{
    /// <summary>The stored entry hash is not the hash of the stored record: the event was altered.</summary>
    HashMismatch,

    /// <summary>The entry's chain hash does not follow from the previous one: entries were reordered, or one was replaced with its hashes.</summary>
    BrokenLink,

    /// <summary>A chain position is missing: an entry was deleted (or renumbered).</summary>
    Gap,

    /// <summary>The chain ends before the tenant's recorded head, or before a signed checkpoint: entries at the end were deleted.</summary>
    MissingTail,

    /// <summary>A signed checkpoint or export manifest does not verify with the key set (unknown key, wrong signature, signed outside the key's validity).</summary>
    BadSignature,

    /// <summary>The chain reaches a signed checkpoint's position with another chain hash: the chain was rewritten, hashes and all.</summary>
    CheckpointMismatch,

    /// <summary>An entry, checkpoint or manifest cannot be read as the format says (not JSON, a member missing, another tenant's record).</summary>
    Malformed,

    /// <summary>An export's file does not have the SHA-256 (or size) its signed manifest lists: it was edited after export.</summary>
    FileHashMismatch,

    /// <summary>What an export holds disagrees with its signed manifest (count, last hash, first previous hash, range).</summary>
    ManifestMismatch,
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

/// <summary>The stable snake_case names of <see cref="ChainFailureReason"/>, used by the API, the CLI and docs/ledger-format.md.</summary>
public static class ChainFailureReasons
{
    public static string Code(this ChainFailureReason reason) => reason switch
    {
        ChainFailureReason.HashMismatch => "hash_mismatch",
        ChainFailureReason.BrokenLink => "broken_link",
        ChainFailureReason.Gap => "gap",
        ChainFailureReason.MissingTail => "missing_tail",
        ChainFailureReason.BadSignature => "bad_signature",
        ChainFailureReason.CheckpointMismatch => "checkpoint_mismatch",
        ChainFailureReason.Malformed => "malformed",
        ChainFailureReason.FileHashMismatch => "file_hash_mismatch",
        ChainFailureReason.ManifestMismatch => "manifest_mismatch",
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };
}

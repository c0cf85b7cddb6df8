using Ledger.EventStore.Chain;
using Ledger.EventStore.Checkpoints;

namespace Ledger.Host.Auditing;

/// <summary>
/// A signed checkpoint: the JWS is what to keep and verify; the other members repeat its payload for convenience
/// (<c>tree_root</c> is null for a checkpoint of format 1, signed before the tree root was).
/// </summary>
public sealed record CheckpointView(string TenantId, long ChainSeq, string ChainHash, string IssuedAt, string Kid, string Jws, string? TreeRoot)
{
    public static CheckpointView From(SignedCheckpoint signed)
    {
        ArgumentNullException.ThrowIfNull(signed);
        var c = signed.Checkpoint;
        return new(c.TenantId, c.ChainSeq, Convert.ToHexStringLower(c.ChainHash), LedgerRecord.FormatTimestamp(c.IssuedAt), signed.Kid, signed.Jws,
            c.TreeRoot is { } root ? Convert.ToHexStringLower(root) : null);
    }
}

public sealed record CheckpointPage(string TenantId, IReadOnlyList<CheckpointView> Checkpoints, long? NextFrom);

public sealed record VerificationFailureView(long Position, string Reason, string Detail);

/// <summary>
/// One page of <c>GET /api/ledger/verify</c>: <c>status</c> is <c>verified</c> (the whole range), <c>in_progress</c> (call
/// again with <c>next_cursor</c>) or <c>failed</c> (the first failure, with its position and reason). <c>tree_root</c> is
/// the Merkle root of the entries 1 … <c>verified_through</c> (null if the chain before the range is broken).
/// </summary>
public sealed record VerificationView(
    string TenantId, long From, long To, string Status, long VerifiedThrough, long EntriesChecked, int CheckpointsVerified,
    string LastChainHash, VerificationFailureView? Failure, string? NextCursor, string? TreeRoot)
{
    public static VerificationView Of(VerificationStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        return new(step.TenantId, step.From, step.To,
            step.Status switch
            {
                VerificationStatus.Verified => "verified",
                VerificationStatus.InProgress => "in_progress",
                _ => "failed",
            },
            step.VerifiedThrough, step.EntriesChecked, step.CheckpointsReached, Convert.ToHexStringLower(step.LastChainHash),
            step.Failure is { } f ? new VerificationFailureView(f.Position, f.Reason.Code(), f.Detail) : null,
            step.Cursor?.Encode(), step.TreeRoot is { } root ? Convert.ToHexStringLower(root) : null);
    }
}

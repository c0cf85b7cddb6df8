namespace Ledger.EventStore.Chain;

/// <summary>
/// One entry of a tenant's chain as an auditor sees it: its position, the canonical record it hashes
/// (docs/ledger-format.md §2, the exact bytes) and the two stored hashes. The database, the auditor API and
/// export files all yield entries of this shape, so one <see cref="ChainWalk"/> checks them all.
/// </summary>
public sealed record ChainEntry(long ChainSeq, byte[] Record, byte[] EntryHash, byte[] ChainHash);

/// <summary>
/// A chain hash that something outside the chain vouches for at a position, such as a signed checkpoint:
/// the chain must reach <see cref="Position"/> with exactly <see cref="ChainHash"/>. When the voucher itself
/// failed (a bad signature), <see cref="Invalid"/> says why, and the anchor is reported rather than trusted.
/// <see cref="IssuedAt"/> is when it was signed, as it says (a checkpoint's <c>issued_at</c>). <see cref="TreeRoot"/>, when
/// it vouches for one (checkpoint format 2), is the Merkle root of the tree of <see cref="Position"/> leaves.
/// </summary>
public sealed record ChainAnchor(
    long Position, byte[] ChainHash, string Source, string? Invalid = null, DateTimeOffset? IssuedAt = null, byte[]? TreeRoot = null)
{
    public bool IsValid => Invalid is null;
}

using System.Globalization;
using System.Security.Cryptography;
using Ledger.EventStore.Merkle;

namespace Ledger.EventStore.Chain;

/// <summary>
/// The one implementation of docs/ledger-format.md §4 and §8: a walk along a tenant's chain in position order that
/// recomputes every entry hash and link and checks every anchor (signed checkpoint) it passes, stopping at the first
/// failure. The store verifier, the auditor API, the checkpointer and the offline export verifier all feed it entries;
/// only where the entries come from differs. A walk can be resumed: its whole state is <see cref="Next"/>,
/// <see cref="Previous"/> and, when it recomputes the Merkle tree, <see cref="Tree"/>'s frontier.
/// <para>
/// A walk given the tree's frontier at its start (empty from position 1) also checks the tree root a checkpoint signs
/// (format 2, docs/ledger-format.md §8); one started mid-log without it cannot, and counts the roots it left unchecked.
/// </para>
/// </summary>
public sealed class ChainWalk
{
    private readonly SortedList<long, List<ChainAnchor>> anchors = [];

    /// <param name="from">the first position to check.</param>
    /// <param name="previous">chain_hash(from - 1): 32 zero bytes when starting at 1.</param>
    /// <param name="tree">the Merkle tree of the entries before <c>Next</c> (its frontier), or null to leave roots unchecked.</param>
    public ChainWalk(long from, byte[] previous, long next = 0, long entriesChecked = 0, int anchorsReached = 0, MerkleTreeBuilder? tree = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(from, 1);
        ArgumentNullException.ThrowIfNull(previous);
        From = from;
        Next = next == 0 ? from : next;
        Previous = previous;
        EntriesChecked = entriesChecked;
        AnchorsReached = anchorsReached;
        if (tree is not null && tree.Size != Next - 1)
            throw new ArgumentException($"the tree has {tree.Size} leaves, the walk is at {Next}", nameof(tree));
        Tree = tree;
    }

    /// <summary>A walk from position 1, recomputing the Merkle tree from its first leaf.</summary>
    public static ChainWalk FromGenesis() => new(1, LedgerRecord.GenesisHash, tree: new MerkleTreeBuilder());

    public long From { get; }

    /// <summary>The position the next entry must have.</summary>
    public long Next { get; private set; }

    /// <summary>The chain hash of the last verified entry (or the starting previous hash).</summary>
    public byte[] Previous { get; private set; }

    public long VerifiedThrough => Next - 1;

    public long EntriesChecked { get; private set; }

    /// <summary>How many valid anchors the chain reached with the hash they vouch for.</summary>
    public int AnchorsReached { get; private set; }

    public ChainFailure? Failure { get; private set; }

    /// <summary>The Merkle tree of the entries verified so far, when the walk knows it (see the class remarks).</summary>
    public MerkleTreeBuilder? Tree { get; }

    /// <summary>How many signed tree roots the walk could not check, having no frontier.</summary>
    public int TreeRootsUnchecked { get; private set; }

    /// <summary>
    /// Adds anchors the walk must meet. One at <c>Next - 1</c> (the position the walk starts from) is checked at
    /// once against <see cref="Previous"/>; ones behind that are ignored; callers add only anchors inside their range.
    /// </summary>
    public ChainFailure? AddAnchors(IEnumerable<ChainAnchor> more)
    {
        ArgumentNullException.ThrowIfNull(more);
        foreach (var anchor in more.Where(a => a.Position >= Next - 1))
        {
            if (!anchors.TryGetValue(anchor.Position, out var list)) anchors[anchor.Position] = list = [];
            list.Add(anchor);
        }
        if (Failure is null && Next > 1) Failure = MeetAnchors(Next - 1, Previous);
        return Failure;
    }

    /// <summary>Checks the entry expected at <see cref="Next"/>; false (and <see cref="Failure"/>) at the first failure.</summary>
    public bool Accept(ChainEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return Accept(entry.ChainSeq, entry.Record, entry.EntryHash, entry.ChainHash);
    }

    /// <summary><see cref="Accept(ChainEntry)"/> for an entry whose record is in a buffer the caller reuses.</summary>
    public bool Accept(long chainSeq, ReadOnlySpan<byte> record, byte[] entryHash, byte[] chainHash)
    {
        ArgumentNullException.ThrowIfNull(entryHash);
        ArgumentNullException.ThrowIfNull(chainHash);
        if (Failure is not null) return false;
        Failure = Check(chainSeq, record, entryHash, chainHash, Next, Previous);
        if (Failure is not null) return false;
        Tree?.AddLeaf(entryHash);
        Failure = MeetAnchors(chainSeq, chainHash);
        if (Failure is not null) return false;
        Previous = chainHash;
        Next++;
        EntriesChecked++;
        return true;
    }

    /// <summary>Stops the walk with a failure its caller found in an entry it could not even hand over (unreadable, out of range).</summary>
    public void Fail(ChainFailure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        Failure ??= failure;
    }

    /// <summary>
    /// The entries ran out: they must have reached <paramref name="mustReach"/> (the head, the range's end) and every
    /// valid anchor still ahead; an entry missing there is a missing tail. Invalid anchors left over are reported last.
    /// </summary>
    public ChainFailure? Finish(long mustReach, string mustReachWhat)
    {
        if (Failure is not null) return Failure;
        var (end, what) = (mustReach, mustReachWhat);
        foreach (var anchor in anchors.Values.SelectMany(a => a).Where(a => a.IsValid && a.Position > end))
            (end, what) = (anchor.Position, anchor.Source);
        if (VerifiedThrough < end)
            return Failure = new(Next, ChainFailureReason.MissingTail,
                string.Create(CultureInfo.InvariantCulture, $"entries end at {VerifiedThrough}, but {what} is at {end}"));
        var invalid = anchors.Values.SelectMany(a => a).FirstOrDefault(a => !a.IsValid);
        return Failure = invalid is null ? null : BadAnchor(invalid);
    }

    /// <summary>
    /// The per-entry rule, in this order: <b>gap</b> (not the next position), <b>hash mismatch</b> (the record does not
    /// hash to the stored entry hash), <b>broken link</b> (SHA-256(previous ‖ entry hash) is not the stored chain hash).
    /// </summary>
    public static ChainFailure? Check(ChainEntry entry, long expectedSeq, ReadOnlySpan<byte> previous)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return Check(entry.ChainSeq, entry.Record, entry.EntryHash, entry.ChainHash, expectedSeq, previous);
    }

    private static ChainFailure? Check(
        long chainSeq, ReadOnlySpan<byte> record, ReadOnlySpan<byte> entryHash, ReadOnlySpan<byte> chainHash, long expectedSeq, ReadOnlySpan<byte> previous)
    {
        if (chainSeq != expectedSeq)
            return new(expectedSeq, ChainFailureReason.Gap, string.Create(CultureInfo.InvariantCulture, $"expected entry {expectedSeq}, found {chainSeq}"));
        Span<byte> recomputed = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(record, recomputed);
        if (!recomputed.SequenceEqual(entryHash))
            return new(expectedSeq, ChainFailureReason.HashMismatch,
                $"record hashes to {Convert.ToHexStringLower(recomputed)}, stored entry hash is {Convert.ToHexStringLower(entryHash)}");
        var link = LedgerRecord.Link(previous, entryHash);
        if (!link.AsSpan().SequenceEqual(chainHash))
            return new(expectedSeq, ChainFailureReason.BrokenLink,
                $"previous chain hash and entry hash link to {Convert.ToHexStringLower(link)}, stored chain hash is {Convert.ToHexStringLower(chainHash)}");
        return null;
    }

    private ChainFailure? MeetAnchors(long position, byte[] chainHash)
    {
        if (!anchors.Remove(position, out var here)) return null;
        foreach (var anchor in here)
        {
            if (!anchor.IsValid) return BadAnchor(anchor);
            if (!anchor.ChainHash.AsSpan().SequenceEqual(chainHash))
                return new(position, ChainFailureReason.CheckpointMismatch,
                    $"the chain hash here is {Convert.ToHexStringLower(chainHash)}, {anchor.Source} vouches for {Convert.ToHexStringLower(anchor.ChainHash)}");
            if (anchor.TreeRoot is not null && Tree is null) TreeRootsUnchecked++;
            else if (anchor.TreeRoot is not null && Tree!.Root() is var root && !root.AsSpan().SequenceEqual(anchor.TreeRoot))
                return new(position, ChainFailureReason.CheckpointMismatch,
                    $"the tree root of the entries through here is {Convert.ToHexStringLower(root)}, {anchor.Source} vouches for {Convert.ToHexStringLower(anchor.TreeRoot)}");
            AnchorsReached++;
        }
        return null;
    }

    private static ChainFailure BadAnchor(ChainAnchor anchor) =>
        new(anchor.Position, ChainFailureReason.BadSignature, $"{anchor.Source}: {anchor.Invalid}");
}

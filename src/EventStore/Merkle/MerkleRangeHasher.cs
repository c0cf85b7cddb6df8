namespace Ledger.EventStore.Merkle;

/// <summary>
/// Computes MTH of several ranges of leaves in one pass over the leaves in order (0, 1, 2, …): each range has its own
/// <see cref="MerkleTreeBuilder"/>, so memory stays O(ranges × log n) however long the tree. A proof's ranges and the
/// roots a caller wants besides (the tree [0, n), an older tree [0, m)) go through the same pass.
/// </summary>
public sealed class MerkleRangeHasher
{
    private readonly MerkleRange[] ranges;
    private readonly MerkleTreeBuilder[] builders;

    public MerkleRangeHasher(IEnumerable<MerkleRange> ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        this.ranges = [.. ranges];
        foreach (var range in this.ranges)
            if (range.Start < 0 || range.Count < 1) throw new ArgumentOutOfRangeException(nameof(ranges), $"[{range.Start}, {range.End}) holds no leaf");
        builders = [.. this.ranges.Select(_ => new MerkleTreeBuilder())];
        End = this.ranges.Length == 0 ? 0 : this.ranges.Max(r => r.End);
    }

    /// <summary>How many leaves the ranges need: the next leaf's index must stay below it.</summary>
    public long End { get; }

    /// <summary>How many leaves were added.</summary>
    public long Count { get; private set; }

    public void AddLeafHash(ReadOnlySpan<byte> leafHash)
    {
        for (var i = 0; i < ranges.Length; i++)
            if (ranges[i].Start <= Count && Count < ranges[i].End)
                builders[i].AddLeafHash(leafHash);
        Count++;
    }

    /// <summary>The hash of each range, in the order given.</summary>
    /// <exception cref="InvalidOperationException">fewer leaves were added than the ranges need.</exception>
    public IReadOnlyList<byte[]> Hashes()
    {
        if (Count < End) throw new InvalidOperationException($"the ranges need {End} leaves, {Count} were added");
        return [.. builders.Select(b => b.Root())];
    }

    /// <summary>The hashes of <paramref name="ranges"/> over leaf hashes held in memory (tests, small trees).</summary>
    public static IReadOnlyList<byte[]> Over(IReadOnlyList<byte[]> leafHashes, IEnumerable<MerkleRange> ranges)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        var hasher = new MerkleRangeHasher(ranges);
        for (var i = 0L; i < hasher.End; i++) hasher.AddLeafHash(leafHashes[checked((int)i)]);
        return hasher.Hashes();
    }
}

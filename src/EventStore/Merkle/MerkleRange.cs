namespace Ledger.EventStore.Merkle;

/// <summary>The leaves [<see cref="Start"/>, <see cref="End"/>) of a tree, 0-based: a proof's element is MTH of such a range.</summary>
public readonly record struct MerkleRange(long Start, long End)
{
    public long Count => End - Start;
}

/// <summary>
/// Which subtrees an RFC 6962 proof consists of (§2.1.1 PATH and §2.1.2 SUBPROOF), as ranges of leaves, in the
/// proof's order. Knowing them first lets the prover hash each range while the leaves stream past, never holding them.
/// </summary>
public static class MerkleProofPlan
{
    /// <summary>The audit path of leaf <paramref name="index"/> in the tree of <paramref name="size"/> leaves, deepest first.</summary>
    public static IReadOnlyList<MerkleRange> Inclusion(long index, long size)
    {
        if (size < 1 || index < 0 || index >= size)
            throw new ArgumentOutOfRangeException(nameof(index), $"leaf {index} is not in a tree of size {size}");
        var ranges = new List<MerkleRange>();
        Path(index, 0, size, ranges);
        return ranges;
    }

    /// <summary>The consistency proof from the tree of size <paramref name="first"/> to that of size <paramref name="second"/>.</summary>
    public static IReadOnlyList<MerkleRange> Consistency(long first, long second)
    {
        if (first < 1 || first > second)
            throw new ArgumentOutOfRangeException(nameof(first), $"no consistency proof from size {first} to size {second}");
        var ranges = new List<MerkleRange>();
        SubProof(first, 0, second, true, ranges);
        return ranges;
    }

    /// <summary>The largest power of two smaller than <paramref name="n"/> (n ≥ 2): RFC 6962's split point k.</summary>
    public static long Split(long n) => 1L << (63 - (int)long.LeadingZeroCount(n - 1));

    // PATH(m, D[start:end]) = PATH(m, D[start:start+k]) : MTH(D[start+k:end]) when m < k, else PATH(m - k, D[start+k:end]) : MTH(D[start:start+k]).
    private static void Path(long index, long start, long end, List<MerkleRange> into)
    {
        if (end - start == 1) return;
        var k = Split(end - start);
        if (index < start + k)
        {
            Path(index, start, start + k, into);
            into.Add(new(start + k, end));
        }
        else
        {
            Path(index, start + k, end, into);
            into.Add(new(start, start + k));
        }
    }

    // SUBPROOF(m, D[start:end], b): m is the old tree's size within this subtree; b says whether the subtree's own
    // hash is known to the verifier (it is the old root) and so left out.
    private static void SubProof(long m, long start, long end, bool known, List<MerkleRange> into)
    {
        var n = end - start;
        if (m == n)
        {
            if (!known) into.Add(new(start, end));
            return;
        }
        var k = Split(n);
        if (m <= k)
        {
            SubProof(m, start, start + k, known, into);
            into.Add(new(start + k, end));
        }
        else
        {
            SubProof(m - k, start + k, end, false, into);
            into.Add(new(start, start + k));
        }
    }
}

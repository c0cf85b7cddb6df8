namespace Ledger.EventStore.Merkle;

/// <summary>
/// The root of a Merkle tree computed while its leaves stream past, in O(log n) memory: the stack of the roots of the
/// perfect subtrees the leaves so far fill (one per set bit of the count, largest first). Adding a leaf merges the
/// subtrees it completes; the root folds what is left from the right, which is exactly RFC 6962's MTH with its split
/// at the largest power of two below n.
/// </summary>
public sealed class MerkleTreeBuilder
{
    // 63 levels hold any count a long can; a tree of 2^63 leaves is not a concern.
    private readonly byte[][] stack = new byte[63][];
    private int depth;

    public MerkleTreeBuilder()
    {
    }

    /// <summary>
    /// Resumes a tree of <paramref name="size"/> leaves from its frontier: the roots of the perfect subtrees its leaves
    /// fill, largest (leftmost) first, one per set bit of the size (docs/ledger-format.md §9, <c>tree_frontier</c>).
    /// </summary>
    /// <exception cref="FormatException">the frontier does not have one 32-byte hash per set bit of the size.</exception>
    public MerkleTreeBuilder(long size, IReadOnlyList<byte[]> frontier)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentNullException.ThrowIfNull(frontier);
        if (frontier.Count != long.PopCount(size))
            throw new FormatException($"a tree of {size} leaves has a frontier of {long.PopCount(size)} hashes, not {frontier.Count}");
        foreach (var hash in frontier)
        {
            if (hash.Length != MerkleHash.Size) throw new FormatException("a frontier hash has 32 bytes");
            stack[depth++] = (byte[])hash.Clone();
        }
        Size = size;
    }

    /// <summary>How many leaves were added.</summary>
    public long Size { get; private set; }

    /// <summary>The roots of the perfect subtrees the leaves so far fill, largest first: what resumes the tree elsewhere.</summary>
    public IReadOnlyList<byte[]> Frontier() => [.. stack.Take(depth).Select(h => (byte[])h.Clone())];

    /// <summary>Adds the leaf whose data is <paramref name="data"/> (hashed as a leaf here).</summary>
    public void AddLeaf(ReadOnlySpan<byte> data)
    {
        Span<byte> leaf = stackalloc byte[MerkleHash.Size];
        MerkleHash.Leaf(data, leaf);
        AddLeafHash(leaf);
    }

    /// <summary>Adds a leaf already hashed (<see cref="MerkleHash.Leaf(ReadOnlySpan{byte})"/>).</summary>
    public void AddLeafHash(ReadOnlySpan<byte> leafHash)
    {
        if (leafHash.Length != MerkleHash.Size) throw new ArgumentException("a leaf hash has 32 bytes", nameof(leafHash));
        Span<byte> current = stackalloc byte[MerkleHash.Size];
        leafHash.CopyTo(current);
        // Each trailing 1 bit of the count is a perfect subtree of the new leaf's size that it now completes.
        for (var n = Size; (n & 1) == 1; n >>= 1)
            MerkleHash.Node(stack[--depth], current, current);
        current.CopyTo(stack[depth++] ??= new byte[MerkleHash.Size]);
        Size++;
    }

    /// <summary>MTH of the leaves added so far (the empty tree's hash when there are none).</summary>
    public byte[] Root()
    {
        if (depth == 0) return MerkleHash.EmptyRoot();
        var root = (byte[])stack[depth - 1].Clone();
        for (var i = depth - 2; i >= 0; i--)
            MerkleHash.Node(stack[i], root, root);
        return root;
    }
}

using System.Globalization;

namespace Ledger.EventStore.Merkle;

/// <summary>
/// The verifiers of RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency), step for step. They trust nothing in
/// the proof, its length included: the sizes decide how many hashes a valid proof has, and a path that is one hash
/// short or long, for another leaf or size, or leading to another root fails. Each returns null when the proof
/// verifies, else why not.
/// </summary>
public static class MerkleProofVerifier
{
    public static bool VerifyInclusion(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> path, ReadOnlySpan<byte> root) =>
        InclusionFailure(index, size, leafHash, path, root) is null;

    public static bool VerifyConsistency(long first, long second, IReadOnlyList<byte[]> path, ReadOnlySpan<byte> firstRoot, ReadOnlySpan<byte> secondRoot) =>
        ConsistencyFailure(first, second, path, firstRoot, secondRoot) is null;

    /// <summary>Null when <paramref name="path"/> proves the leaf hashed <paramref name="leafHash"/> is leaf <paramref name="index"/> (0-based) of the tree of <paramref name="size"/> leaves with <paramref name="root"/>.</summary>
    public static string? InclusionFailure(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> path, ReadOnlySpan<byte> root)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (index < 0 || index >= size) return Text($"leaf index {index} is not in a tree of size {size}");
        if (leafHash.Length != MerkleHash.Size || root.Length != MerkleHash.Size || path.Any(p => p is not { Length: MerkleHash.Size }))
            return "every hash has 32 bytes";
        var (fn, sn) = (index, size - 1);
        Span<byte> r = stackalloc byte[MerkleHash.Size];
        leafHash.CopyTo(r);
        foreach (var p in path)
        {
            if (sn == 0) return Text($"the path has more than the {Depth(index, size)} hashes a tree of size {size} needs");
            if ((fn & 1) == 1 || fn == sn)
            {
                MerkleHash.Node(p, r, r);
                while ((fn & 1) == 0 && fn != 0) (fn, sn) = (fn >> 1, sn >> 1);
            }
            else
            {
                MerkleHash.Node(r, p, r);
            }
            (fn, sn) = (fn >> 1, sn >> 1);
        }
        if (sn != 0) return Text($"the path has {path.Count} hashes, leaf {index} of a tree of size {size} needs {Depth(index, size)}");
        return r.SequenceEqual(root) ? null : Text($"the path leads to the root {Convert.ToHexStringLower(r)}, not {Convert.ToHexStringLower(root)}");
    }

    /// <summary>Null when <paramref name="path"/> proves the tree of size <paramref name="first"/> with <paramref name="firstRoot"/> is a prefix of the tree of size <paramref name="second"/> with <paramref name="secondRoot"/>.</summary>
    public static string? ConsistencyFailure(long first, long second, IReadOnlyList<byte[]> path, ReadOnlySpan<byte> firstRoot, ReadOnlySpan<byte> secondRoot)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (first < 1) return Text($"the first tree size must be 1 or more, not {first}: every tree is consistent with the empty one");
        if (first > second) return Text($"the first tree size {first} is larger than the second {second}");
        if (firstRoot.Length != MerkleHash.Size || secondRoot.Length != MerkleHash.Size || path.Any(p => p is not { Length: MerkleHash.Size }))
            return "every hash has 32 bytes";
        if (first == second)
        {
            // RFC 9162 §2.1.4.1: the proof between equal sizes is empty; the roots must simply be the same.
            if (path.Count != 0) return "between equal sizes the proof is empty";
            return firstRoot.SequenceEqual(secondRoot) ? null : "the sizes are equal but the roots differ";
        }
        if (path.Count == 0) return "the proof is empty";

        // 2. When the first tree is a perfect subtree its root is the proof's implicit first element.
        IReadOnlyList<byte[]> nodes = (first & (first - 1)) == 0 ? [firstRoot.ToArray(), .. path] : path;
        // 3-4. Walk up from the first tree's last leaf past the levels where it is a right child.
        var (fn, sn) = (first - 1, second - 1);
        while ((fn & 1) == 1) (fn, sn) = (fn >> 1, sn >> 1);
        Span<byte> fr = stackalloc byte[MerkleHash.Size];
        Span<byte> sr = stackalloc byte[MerkleHash.Size];
        nodes[0].CopyTo(fr);
        nodes[0].CopyTo(sr);
        for (var i = 1; i < nodes.Count; i++)
        {
            var c = nodes[i];
            if (sn == 0) return Text($"the proof has more hashes than sizes {first} and {second} need");
            if ((fn & 1) == 1 || fn == sn)
            {
                MerkleHash.Node(c, fr, fr);
                MerkleHash.Node(c, sr, sr);
                while ((fn & 1) == 0 && fn != 0) (fn, sn) = (fn >> 1, sn >> 1);
            }
            else
            {
                MerkleHash.Node(sr, c, sr);
            }
            (fn, sn) = (fn >> 1, sn >> 1);
        }
        if (sn != 0) return Text($"the proof has fewer hashes than sizes {first} and {second} need");
        if (!fr.SequenceEqual(firstRoot))
            return Text($"the proof leads to the first root {Convert.ToHexStringLower(fr)}, not {Convert.ToHexStringLower(firstRoot)}");
        return sr.SequenceEqual(secondRoot) ? null
            : Text($"the proof leads to the second root {Convert.ToHexStringLower(sr)}, not {Convert.ToHexStringLower(secondRoot)}");
    }

    // How many hashes an audit path has: the count of MerkleProofPlan.Inclusion, without building it.
    private static int Depth(long index, long size)
    {
        var depth = 0;
        for (var (start, end) = (0L, size); end - start > 1; depth++)
        {
            var k = MerkleProofPlan.Split(end - start);
            (start, end) = index < start + k ? (start, start + k) : (start + k, end);
        }
        return depth;
    }

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

using System.Diagnostics;
using Ledger.EventStore.Merkle;

namespace Ledger.EventStore.Tests.Merkle;

/// <summary>
/// The streaming tree and prover against RFC 6962 §2.1's recursive definitions written out naively, for every size up
/// to 70 and every leaf and size pair; and the verifiers against the forgeries they must refuse.
/// </summary>
public sealed class MerkleProofTests
{
    private static readonly List<byte[]> Leaves = [.. Enumerable.Range(0, 70).Select(i => MerkleHash.Leaf([(byte)i, (byte)(i >> 8)]))];

    [Fact]
    public void Roots_and_proofs_match_the_RFC_definitions_for_every_size_up_to_70()
    {
        for (var n = 1; n <= Leaves.Count; n++)
        {
            var tree = Leaves[..n];
            MerkleTree.Root(tree).ShouldBe(Mth(tree), $"root of {n}");
            for (var m = 0; m < n; m++)
            {
                var path = MerkleTree.InclusionProof(tree, m);
                path.ShouldBe(Path(m, tree), $"path of {m} in {n}");
                MerkleProofVerifier.InclusionFailure(m, n, tree[m], path, Mth(tree)).ShouldBeNull();
            }
            for (var m = 1; m <= n; m++)
            {
                var proof = MerkleTree.ConsistencyProof(tree, m);
                proof.ShouldBe(SubProof(m, tree, true), $"proof {m} to {n}");
                MerkleProofVerifier.ConsistencyFailure(m, n, proof, Mth(tree[..m]), Mth(tree)).ShouldBeNull();
            }
        }
    }

    [Fact]
    public void An_inclusion_proof_for_another_leaf_size_or_root_or_with_a_path_cut_or_extended_fails()
    {
        for (var n = 1; n <= 33; n++)
        {
            var tree = Leaves[..n];
            var root = Mth(tree);
            for (var m = 0; m < n; m++)
            {
                var path = MerkleTree.InclusionProof(tree, m);
                bool Verifies(long index, long size, byte[] leaf, IReadOnlyList<byte[]> p, byte[] r) =>
                    MerkleProofVerifier.VerifyInclusion(index, size, leaf, p, r);

                Verifies(m, n, tree[m], path, root).ShouldBeTrue();
                for (var other = 0; other < n; other++)
                    if (other != m)
                    {
                        Verifies(m, n, tree[other], path, root).ShouldBeFalse($"leaf {other}'s hash as leaf {m} of {n}");
                        Verifies(other, n, tree[m], path, root).ShouldBeFalse($"leaf {m}'s path for index {other} of {n}");
                    }
                // Another size with that size's true root. (With the same root some other sizes have paths of the
                // same shape: the size is bound to the root by what signs them both, a checkpoint.)
                foreach (var size in new[] { n - 1, n + 1, 2 * n, n / 2 }.Where(s => s > m && s != n && s <= Leaves.Count))
                    if (!MerkleTree.InclusionProof(Leaves[..size], m).SequenceEqual(path, ByteArrays))
                        Verifies(m, size, tree[m], path, Mth(Leaves[..size])).ShouldBeFalse($"leaf {m} of {n} claimed in a tree of {size}");
                Verifies(m, n, tree[m], path, Mth(Leaves[..(n + 1)])).ShouldBeFalse("a root from a larger tree");
                Verifies(m, n, tree[m], path, Mth([.. tree[..^1], Leaves[69]])).ShouldBeFalse("a root from another tree of the same size");
                Verifies(m, n, tree[m], [.. path, root], root).ShouldBeFalse("an extended path");
                Verifies(m, n, tree[m], [root, .. path], root).ShouldBeFalse("a path with a hash before it");
                if (path.Count > 0)
                {
                    Verifies(m, n, tree[m], path.Take(path.Count - 1).ToList(), root).ShouldBeFalse("a truncated path");
                    Verifies(m, n, tree[m], path.Skip(1).ToList(), root).ShouldBeFalse("a path without its first hash");
                    Verifies(m, n, tree[m], [.. path.Take(path.Count - 1), Flip(path[^1])], root).ShouldBeFalse("a changed hash");
                    if (path.Count > 1) Verifies(m, n, tree[m], path.Reverse().ToList(), root).ShouldBeFalse("a reversed path");
                }
                // A leaf's own data is not its leaf hash: the 0x00 prefix keeps a node from passing for a leaf.
                Verifies(m, n, MerkleHash.Leaf(tree[m]), path, root).ShouldBeFalse("a leaf hashed twice");
            }
        }
    }

    [Fact]
    public void Indices_and_sizes_out_of_range_fail_without_looking_at_the_path()
    {
        var leaves = ReferenceTree.LeafHashes();
        var root = ReferenceTree.Root(8);
        var path = MerkleTree.InclusionProof(leaves, 7);
        MerkleProofVerifier.InclusionFailure(8, 8, leaves[7], path, root).ShouldNotBeNull();
        MerkleProofVerifier.InclusionFailure(-1, 8, leaves[7], path, root).ShouldNotBeNull();
        MerkleProofVerifier.InclusionFailure(0, 0, leaves[0], [], MerkleHash.EmptyRoot()).ShouldNotBeNull();
        MerkleProofVerifier.InclusionFailure(7, 8, leaves[7], path, root[..31]).ShouldNotBeNull();
        MerkleProofVerifier.InclusionFailure(7, 8, leaves[7], [path[0], path[1], path[2][..31]], root).ShouldNotBeNull();

        var proof = MerkleTree.ConsistencyProof(leaves, 3);
        var third = ReferenceTree.Root(3);
        MerkleProofVerifier.ConsistencyFailure(3, 8, proof, third, root).ShouldBeNull();
        MerkleProofVerifier.ConsistencyFailure(0, 8, proof, MerkleHash.EmptyRoot(), root).ShouldNotBeNull();
        MerkleProofVerifier.ConsistencyFailure(0, 8, [], MerkleHash.EmptyRoot(), root).ShouldNotBeNull();
        MerkleProofVerifier.ConsistencyFailure(0, 0, [], MerkleHash.EmptyRoot(), MerkleHash.EmptyRoot()).ShouldNotBeNull();
        MerkleProofVerifier.ConsistencyFailure(8, 3, proof, root, third).ShouldNotBeNull();
        MerkleProofVerifier.ConsistencyFailure(8, 8, [], root, root).ShouldBeNull();
        MerkleProofVerifier.ConsistencyFailure(8, 8, [root], root, root).ShouldNotBeNull("equal sizes take an empty proof");
        MerkleProofVerifier.ConsistencyFailure(8, 8, [], root, third).ShouldNotBeNull("equal sizes, different roots");
        MerkleProofVerifier.ConsistencyFailure(3, 8, [], third, root).ShouldNotBeNull("an empty proof");
    }

    [Fact]
    public void A_consistency_proof_for_other_sizes_or_roots_or_with_a_proof_cut_or_extended_fails()
    {
        for (var n = 2; n <= 33; n++)
        {
            var tree = Leaves[..n];
            var root = Mth(tree);
            for (var m = 1; m < n; m++)
            {
                var proof = MerkleTree.ConsistencyProof(tree, m);
                var old = Mth(tree[..m]);
                bool Verifies(long first, long second, IReadOnlyList<byte[]> p, byte[] r1, byte[] r2) =>
                    MerkleProofVerifier.VerifyConsistency(first, second, p, r1, r2);

                Verifies(m, n, proof, old, root).ShouldBeTrue();
                foreach (var (first, second) in new[] { (m - 1, n), (m + 1, n), (m, n - 1), (m, n + 1), (m, 2 * n), (2 * m, n) })
                    if ((first, second) != (m, n) && first >= 1 && first <= second && second <= Leaves.Count
                        && !MerkleTree.ConsistencyProof(Leaves[..second], first).SequenceEqual(proof, ByteArrays))
                        Verifies(first, second, proof, Mth(Leaves[..first]), Mth(Leaves[..second]))
                            .ShouldBeFalse($"{m}->{n} claimed as {first}->{second}");
                Verifies(m, n, proof, root, old).ShouldBeFalse("swapped roots");
                Verifies(m, n, proof, Mth([.. tree[..(m - 1)], Leaves[69]]), root).ShouldBeFalse("an old root from another tree");
                Verifies(m, n, proof, old, Mth([.. tree[..^1], Leaves[69]])).ShouldBeFalse("a new root from another tree");
                Verifies(m, n, [.. proof, root], old, root).ShouldBeFalse("an extended proof");
                Verifies(m, n, [old, .. proof], old, root).ShouldBeFalse("the old root prepended");
                Verifies(m, n, proof.Take(proof.Count - 1).ToList(), old, root).ShouldBeFalse("a truncated proof");
                Verifies(m, n, [Flip(proof[0]), .. proof.Skip(1)], old, root).ShouldBeFalse("a changed hash");
            }
        }
    }

    [Fact]
    public void A_tree_of_100k_leaves_is_hashed_and_proved_well_under_a_second()
    {
        var leaves = Enumerable.Range(0, 100_000).Select(i => MerkleHash.Leaf(BitConverter.GetBytes(i))).ToList();
        var clock = Stopwatch.StartNew();
        var root = MerkleTree.Root(leaves);
        var rootTime = clock.Elapsed;
        var path = MerkleTree.InclusionProof(leaves, 77_777);
        var proof = MerkleTree.ConsistencyProof(leaves, 65_537);
        var old = MerkleTree.Root(leaves[..65_537]);
        clock.Stop();
        Console.WriteLine($"100k leaves: root in {rootTime.TotalMilliseconds:F0} ms; root, audit path, consistency proof and old root in {clock.Elapsed.TotalMilliseconds:F0} ms");
        MerkleProofVerifier.InclusionFailure(77_777, 100_000, leaves[77_777], path, root).ShouldBeNull();
        MerkleProofVerifier.ConsistencyFailure(65_537, 100_000, proof, old, root).ShouldBeNull();
        rootTime.ShouldBeLessThan(TimeSpan.FromSeconds(1));
    }

    private static readonly IEqualityComparer<byte[]> ByteArrays =
        EqualityComparer<byte[]>.Create((a, b) => a.AsSpan().SequenceEqual(b), a => a.Length);

    private static byte[] Flip(byte[] hash)
    {
        var copy = (byte[])hash.Clone();
        copy[0] ^= 1;
        return copy;
    }

    // RFC 6962 §2.1, word for word, over leaf hashes held in lists.
    private static byte[] Mth(List<byte[]> d)
    {
        if (d.Count == 0) return MerkleHash.EmptyRoot();
        if (d.Count == 1) return d[0];
        var k = K(d.Count);
        return MerkleHash.Node(Mth(d[..k]), Mth(d[k..]));
    }

    private static List<byte[]> Path(int m, List<byte[]> d)
    {
        if (d.Count == 1) return [];
        var k = K(d.Count);
        return m < k ? [.. Path(m, d[..k]), Mth(d[k..])] : [.. Path(m - k, d[k..]), Mth(d[..k])];
    }

    private static List<byte[]> SubProof(int m, List<byte[]> d, bool b)
    {
        if (m == d.Count) return b ? [] : [Mth(d)];
        var k = K(d.Count);
        return m <= k ? [.. SubProof(m, d[..k], b), Mth(d[k..])] : [.. SubProof(m - k, d[k..], false), Mth(d[..k])];
    }

    private static int K(int n)
    {
        var k = 1;
        while (k * 2 < n) k *= 2;
        return k;
    }
}

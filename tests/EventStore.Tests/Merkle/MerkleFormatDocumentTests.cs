using System.Text.RegularExpressions;
using Ledger.EventStore.Merkle;

namespace Ledger.EventStore.Tests.Merkle;

/// <summary>docs/ledger-format.md §13's worked example is what the code computes and verifies, line for line.</summary>
public sealed partial class MerkleFormatDocumentTests
{
    private static readonly string Doc = File.ReadAllText(Path.Combine(Export.PythonVerifier.RepoRoot(), "docs", "ledger-format.md"));

    [Fact]
    public void The_documented_roots_leaf_hash_and_proofs_are_what_the_tree_computes()
    {
        var leaves = LeafData().Match(Doc).Groups[1].Value.Split(' ')
            .Select(h => h == "\"\"" ? [] : Convert.FromHexString(h)).Select(d => MerkleHash.Leaf(d)).ToList();
        leaves.Count.ShouldBe(8);
        var roots = RootLine().Matches(Doc).ToDictionary(m => int.Parse(m.Groups[1].Value), m => m.Groups[2].Value);
        roots.Keys.Order().ShouldBe([1, 2, 3, 4, 5, 6, 7, 8]);
        foreach (var (n, root) in roots)
            Convert.ToHexStringLower(MerkleTree.Root(leaves[..n])).ShouldBe(root, $"root({n})");
        Convert.ToHexStringLower(leaves[5]).ShouldBe(LeafHashLine().Match(Doc).Groups[1].Value);

        var inclusion = InclusionBlock().Match(Doc);
        var (index, size) = (int.Parse(inclusion.Groups[1].Value), int.Parse(inclusion.Groups[2].Value));
        var path = Hashes(inclusion.Groups[3].Value);
        MerkleTree.InclusionProof(leaves[..size], index).ShouldBe(path);
        MerkleProofVerifier.InclusionFailure(index, size, leaves[index], path, Convert.FromHexString(roots[size])).ShouldBeNull();

        var consistency = ConsistencyBlock().Match(Doc);
        var (first, second) = (int.Parse(consistency.Groups[1].Value), int.Parse(consistency.Groups[2].Value));
        var proof = Hashes(consistency.Groups[3].Value);
        MerkleTree.ConsistencyProof(leaves[..second], first).ShouldBe(proof);
        MerkleProofVerifier.ConsistencyFailure(first, second, proof, Convert.FromHexString(roots[first]), Convert.FromHexString(roots[second])).ShouldBeNull();
    }

    [Fact]
    public void The_documented_one_entry_tree_of_section_6_has_the_documented_root()
    {
        var entryHash = Convert.FromHexString(Regex.Match(Doc, @"entry_hash = ([0-9a-f]{64})").Groups[1].Value);
        var root = OneEntryRoot().Match(Doc).Groups[1].Value;
        Convert.ToHexStringLower(MerkleTree.Root([MerkleHash.Leaf(entryHash)])).ShouldBe(root);
    }

    private static List<byte[]> Hashes(string block) => [.. block.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => Convert.FromHexString(l.Trim()))];

    [GeneratedRegex(@"leaf data d0 … d7 \(hex\) = (.+)\n")]
    private static partial Regex LeafData();

    [GeneratedRegex(@"^root\((\d)\) = ([0-9a-f]{64})$", RegexOptions.Multiline)]
    private static partial Regex RootLine();

    [GeneratedRegex(@"leaf_hash\(d5\) = ([0-9a-f]{64})")]
    private static partial Regex LeafHashLine();

    [GeneratedRegex(@"inclusion proof, leaf_index (\d+), tree_size (\d+):\n((?:  [0-9a-f]{64}\n)+)")]
    private static partial Regex InclusionBlock();

    [GeneratedRegex(@"consistency proof, first_size (\d+), second_size (\d+):\n((?:  [0-9a-f]{64}\n)+)")]
    private static partial Regex ConsistencyBlock();

    [GeneratedRegex(@"whose root is\nleaf_hash\(f6d26cae…2b57\) = `([0-9a-f]{64})`")]
    private static partial Regex OneEntryRoot();
}

using System.Text.Json;
using Ledger.EventStore.Merkle;

namespace Ledger.EventStore.Tests.Merkle;

/// <summary>
/// Ledger's tree, prover and verifiers against published RFC 6962 vectors: the reference roots, the reference proofs
/// (transparency-dev/merkle cmd/proofgen/main.go, inclusionProofs and consistencyProofs, commit 417fb0c3; their leaf
/// indices there are 1-based) and every proof probe of that repository's testdata (Vectors/), good and bad.
/// </summary>
public sealed class MerkleReferenceVectorTests
{
    [Fact]
    public void The_roots_of_the_reference_trees_of_sizes_0_to_8_are_the_published_ones()
    {
        var leaves = ReferenceTree.LeafHashes();
        for (var size = 0; size <= 8; size++)
            Convert.ToHexStringLower(MerkleTree.Root(leaves[..size])).ShouldBe(ReferenceTree.Roots[size], $"size {size}");
    }

    public static TheoryData<int, int, string[]> InclusionVectors => new()
    {
        { 0, 1, [] },
        { 0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"] },
        { 5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"] },
        { 2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"] },
        { 1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"] },
    };

    [Theory, MemberData(nameof(InclusionVectors))]
    public void The_audit_path_of_a_reference_leaf_is_the_published_one_and_verifies(int index, int size, string[] expected)
    {
        var leaves = ReferenceTree.LeafHashes(size);
        var proof = MerkleTree.InclusionProof(leaves, index);
        proof.Select(Convert.ToHexStringLower).ShouldBe(expected);
        MerkleProofVerifier.InclusionFailure(index, size, leaves[index], proof, ReferenceTree.Root(size)).ShouldBeNull();
    }

    public static TheoryData<int, int, string[]> ConsistencyVectors => new()
    {
        { 1, 1, [] },
        { 1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"] },
        { 6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"] },
        { 2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"] },
        { 6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"] },
    };

    [Theory, MemberData(nameof(ConsistencyVectors))]
    public void The_consistency_proof_between_reference_trees_is_the_published_one_and_verifies(int first, int second, string[] expected)
    {
        var proof = MerkleTree.ConsistencyProof(ReferenceTree.LeafHashes(second), first);
        proof.Select(Convert.ToHexStringLower).ShouldBe(expected);
        MerkleProofVerifier.ConsistencyFailure(first, second, proof, ReferenceTree.Root(first), ReferenceTree.Root(second)).ShouldBeNull();
    }

    public static TheoryData<string> Probes => [.. ProbeFiles()];

    [Theory, MemberData(nameof(Probes))]
    public void Every_published_probe_verifies_or_fails_as_it_says(string file)
    {
        using var probe = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(VectorsFolder, file)));
        var p = probe.RootElement;
        var proof = p.GetProperty("proof").ValueKind == JsonValueKind.Null
            ? [] : p.GetProperty("proof").EnumerateArray().Select(h => h.GetBytesFromBase64()).ToList();
        var failure = file.StartsWith("inclusion", StringComparison.Ordinal)
            ? MerkleProofVerifier.InclusionFailure(Number(p, "leafIdx"), Number(p, "treeSize"), Bytes(p, "leafHash"), proof, Bytes(p, "root"))
            : MerkleProofVerifier.ConsistencyFailure(Number(p, "size1"), Number(p, "size2"), proof, Bytes(p, "root1"), Bytes(p, "root2"));
        var desc = p.GetProperty("desc").GetString();
        if (StricterThanTheReference.Contains(file)) failure.ShouldBe("every hash has 32 bytes");
        else if (p.GetProperty("wantErr").GetBoolean()) failure.ShouldNotBeNull($"{file} ({desc}) must fail");
        else failure.ShouldBeNull($"{file} ({desc}) must verify");
    }

    [Fact]
    public void The_probes_are_all_there()
    {
        var files = ProbeFiles().ToList();
        files.Count.ShouldBe(196);
        files.Count(f => f.EndsWith("happy-path.json", StringComparison.Ordinal)).ShouldBe(10);
    }

    // The one probe Ledger refuses where the reference accepts: two equal "roots" of 12 bytes at equal sizes. The
    // reference only compares them; Ledger's verifiers take nothing but SHA-256 hashes.
    private static readonly HashSet<string> StricterThanTheReference = ["consistency/additional/sizes-are-equal-one-and-proof-is-empty.json"];

    private static string VectorsFolder => Path.Combine(AppContext.BaseDirectory, "Merkle", "Vectors");

    private static IEnumerable<string> ProbeFiles() =>
        Directory.GetFiles(VectorsFolder, "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(VectorsFolder, f).Replace('\\', '/')).Order(StringComparer.Ordinal);

    // uint64 in the probes; one beyond a long (2^64 - 1, "leafIdx - 1" of leaf 0) is no leaf of any tree Ledger holds.
    private static long Number(JsonElement probe, string name) => (long)Math.Min(probe.GetProperty(name).GetUInt64(), long.MaxValue);

    private static byte[] Bytes(JsonElement probe, string name) =>
        probe.GetProperty(name).ValueKind == JsonValueKind.Null ? [] : probe.GetProperty(name).GetBytesFromBase64();
}

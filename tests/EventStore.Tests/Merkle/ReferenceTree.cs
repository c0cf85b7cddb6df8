using Ledger.EventStore.Merkle;

namespace Ledger.EventStore.Tests.Merkle;

/// <summary>
/// The Certificate Transparency reference tree: its eight leaf inputs and the roots of the trees of sizes 0 to 8, as
/// transparency-dev/merkle publishes them (testonly/constants.go, LeafInputs and RootHashes, at commit
/// 417fb0c314750d94e53942e9f92e79b6d35915db; the same vectors as google/certificate-transparency's merkle tree tests).
/// </summary>
public static class ReferenceTree
{
    public static readonly string[] LeafInputs =
    [
        "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
    ];

    /// <summary>Indexed by tree size, from the empty tree.</summary>
    public static readonly string[] Roots =
    [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    public static List<byte[]> LeafHashes(int count = 8) => [.. LeafInputs.Take(count).Select(h => MerkleHash.Leaf(Convert.FromHexString(h)))];

    public static byte[] Root(int size) => Convert.FromHexString(Roots[size]);

    public static byte[][] Hashes(params string[] hex) => [.. hex.Select(Convert.FromHexString)];
}

namespace Ledger.EventStore.Merkle;

/// <summary>
/// RFC 6962 §2.1 over leaf hashes held in memory: the root, an audit path, a consistency proof. What the offline tools
/// and tests use; the ledger's own trees are streamed from the database (<see cref="LedgerTreeReader"/>).
/// </summary>
public static class MerkleTree
{
    public static byte[] Root(IReadOnlyList<byte[]> leafHashes)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        var builder = new MerkleTreeBuilder();
        foreach (var leaf in leafHashes) builder.AddLeafHash(leaf);
        return builder.Root();
    }

    public static IReadOnlyList<byte[]> InclusionProof(IReadOnlyList<byte[]> leafHashes, long index)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        return MerkleRangeHasher.Over(leafHashes, MerkleProofPlan.Inclusion(index, leafHashes.Count));
    }

    public static IReadOnlyList<byte[]> ConsistencyProof(IReadOnlyList<byte[]> leafHashes, long first)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        return MerkleRangeHasher.Over(leafHashes, MerkleProofPlan.Consistency(first, leafHashes.Count));
    }
}

using System.Collections.Concurrent;
using Ledger.EventStore.Merkle;

namespace Ledger.EventStore.Checkpoints;

/// <summary>
/// The Merkle frontier at the last head this process signed, per tenant, so the tree root of the next checkpoint costs
/// only the entries since (a walk from the previous checkpoint, which the signer does anyway). Without it — after a
/// restart, or when another host signed meanwhile — the signer walks the tenant's chain from its first entry once.
/// In memory only: the frontier is recomputed from entries the walk verifies, never trusted from storage.
/// </summary>
public sealed class SignedTrees
{
    private readonly ConcurrentDictionary<string, (long ChainSeq, byte[] ChainHash, IReadOnlyList<byte[]> Frontier)> trees = new(StringComparer.Ordinal);

    /// <summary>The tree of the tenant's first <paramref name="chainSeq"/> entries, if this process signed that very head.</summary>
    public MerkleTreeBuilder? Resume(string tenantId, long chainSeq, byte[] chainHash) =>
        trees.TryGetValue(tenantId, out var signed) && signed.ChainSeq == chainSeq && signed.ChainHash.AsSpan().SequenceEqual(chainHash)
            ? new MerkleTreeBuilder(chainSeq, signed.Frontier)
            : null;

    public void Remember(string tenantId, long chainSeq, byte[] chainHash, MerkleTreeBuilder tree)
    {
        ArgumentNullException.ThrowIfNull(tree);
        trees[tenantId] = (chainSeq, chainHash, tree.Frontier());
    }
}

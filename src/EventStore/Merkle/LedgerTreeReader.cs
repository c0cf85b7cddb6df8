using System.Data;
using System.Globalization;
using Npgsql;

namespace Ledger.EventStore.Merkle;

/// <summary>An inclusion proof: leaf <see cref="LeafIndex"/> (chain_seq − 1) of the tenant's tree of <see cref="TreeSize"/> leaves.</summary>
public sealed record InclusionProof(long LeafIndex, long TreeSize, byte[] EntryHash, byte[] LeafHash, IReadOnlyList<byte[]> Path, byte[] RootHash);

/// <summary>A consistency proof: the tenant's tree of <see cref="FirstSize"/> leaves is a prefix of its tree of <see cref="SecondSize"/>.</summary>
public sealed record ConsistencyProof(long FirstSize, long SecondSize, byte[] FirstRoot, byte[] SecondRoot, IReadOnlyList<byte[]> Path);

/// <summary>The tenant's chain does not hold the entries a tree of that size needs: it has a gap or ends early.</summary>
public sealed class IncompleteTreeException(string message) : Exception(message);

/// <summary>
/// Each tenant's log as a Merkle tree (docs/ledger-format.md §13): leaf i is the entry at chain_seq i + 1, its data the
/// stored 32-byte entry hash. Roots and proofs are computed from one ordered read of <c>ledger_chain</c> (its primary
/// key), streamed: the entry hashes pass through a <see cref="MerkleRangeHasher"/> and are never all held. Read-only.
/// </summary>
public sealed class LedgerTreeReader(NpgsqlDataSource dataSource)
{
    public async Task<byte[]> RootAsync(string tenantId, long size, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (size == 0) return MerkleHash.EmptyRoot();
        var hasher = new MerkleRangeHasher([new MerkleRange(0, size)]);
        await ReadAsync(tenantId, hasher, null, ct);
        return hasher.Hashes()[0];
    }

    /// <summary>The audit path of the entry at <paramref name="chainSeq"/> in the tree of <paramref name="size"/> leaves (chain_seq ≤ size).</summary>
    public async Task<InclusionProof> InclusionProofAsync(string tenantId, long chainSeq, long size, CancellationToken ct = default)
    {
        var index = chainSeq - 1;
        var plan = MerkleProofPlan.Inclusion(index, size);
        var hasher = new MerkleRangeHasher([.. plan, new MerkleRange(0, size)]);
        var entryHash = await ReadAsync(tenantId, hasher, index, ct);
        var hashes = hasher.Hashes();
        return new InclusionProof(index, size, entryHash!, MerkleHash.Leaf(entryHash!), hashes.Take(plan.Count).ToList(), hashes[^1]);
    }

    public async Task<ConsistencyProof> ConsistencyProofAsync(string tenantId, long first, long second, CancellationToken ct = default)
    {
        var plan = MerkleProofPlan.Consistency(first, second);
        var hasher = new MerkleRangeHasher([.. plan, new MerkleRange(0, first), new MerkleRange(0, second)]);
        await ReadAsync(tenantId, hasher, null, ct);
        var hashes = hasher.Hashes();
        return new ConsistencyProof(first, second, hashes[^2], hashes[^1], hashes.Take(plan.Count).ToList());
    }

    /// <summary>The tree of the tenant's first <paramref name="size"/> entries, as a builder that can take more leaves (its frontier).</summary>
    public async Task<MerkleTreeBuilder> TreeAsync(string tenantId, long size, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var tree = new MerkleTreeBuilder();
        if (size > 0) await ReadLeavesAsync(tenantId, size, (_, _, leaf) => tree.AddLeafHash(leaf), ct);
        return tree;
    }

    // Returns the entry hash at `keep` (a 0-based leaf index) when asked.
    private async Task<byte[]?> ReadAsync(string tenantId, MerkleRangeHasher hasher, long? keep, CancellationToken ct)
    {
        byte[]? kept = null;
        await ReadLeavesAsync(tenantId, hasher.End, (index, entryHash, leaf) =>
        {
            if (keep == index) kept = (byte[])entryHash.Clone();
            hasher.AddLeafHash(leaf);
        }, ct);
        return kept;
    }

    // One ordered index scan over chain_seq 1..end; each row's entry hash becomes a leaf. A missing position is an
    // incomplete tree, never a silently shorter one.
    private async Task ReadLeavesAsync(string tenantId, long end, Action<long, byte[], byte[]> leafAdded, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT chain_seq, entry_hash FROM ledger_chain
             WHERE tenant_id = $1 AND chain_seq <= $2
             ORDER BY chain_seq
            """);
        command.Parameters.Add(new() { Value = tenantId });
        command.Parameters.Add(new() { Value = end });
        await using var r = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
        var entryHash = new byte[MerkleHash.Size];
        var leaf = new byte[MerkleHash.Size];
        var count = 0L;
        while (await r.ReadAsync(ct))
        {
            var seq = r.GetInt64(0);
            if (seq != count + 1)
                throw new IncompleteTreeException(string.Create(CultureInfo.InvariantCulture,
                    $"the chain has no entry at {count + 1} (the next stored entry is at {seq})"));
            if (r.GetBytes(1, 0, entryHash, 0, entryHash.Length) != MerkleHash.Size)
                throw new IncompleteTreeException(string.Create(CultureInfo.InvariantCulture, $"the entry hash at {seq} does not have 32 bytes"));
            MerkleHash.Leaf(entryHash, leaf);
            leafAdded(count, entryHash, leaf);
            count++;
        }
        if (count < end)
            throw new IncompleteTreeException(string.Create(CultureInfo.InvariantCulture,
                $"the chain ends at {count}, a tree of size {end} needs entries through {end}"));
    }
}

using System.Collections.Concurrent;
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
/// stored 32-byte entry hash. Read-only.
/// <para>
/// Every hash a proof, a root or a frontier needs is the hash of a range of leaves that starts at a multiple of a power
/// of two at least as large as the range (RFC 6962 splits that way), so it folds from perfect subtrees. Those of
/// <see cref="BlockSize"/> leaves or more are built from the hashes of the tenant's complete blocks of
/// <see cref="BlockSize"/> leaves, which this reader keeps once read (a log only grows: a complete block never changes);
/// smaller ones from the few blocks a request touches, read whole. So a request reads the entries added since the
/// tenant's last one and at most three blocks, and hashes about n / 256 block hashes — not the whole log each time.
/// A log rewritten under the reader (hashes and all, by its database's owner) is served as first read until the
/// process restarts; proofs are checked against signed roots, never against what this serves beside them.
/// </para>
/// </summary>
public sealed class LedgerTreeReader(NpgsqlDataSource dataSource, int maxTenants = 1024)
{
    /// <summary>Leaves per cached block: 256, so 10 million entries keep 39,063 hashes (1.2 MB).</summary>
    public const long BlockSize = 256;

    private readonly ConcurrentDictionary<string, TenantBlocks> blocks = new(StringComparer.Ordinal);

    public async Task<byte[]> RootAsync(string tenantId, long size, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        return size == 0 ? MerkleHash.EmptyRoot() : await new View(this, tenantId, size).RangeAsync(new MerkleRange(0, size), ct);
    }

    /// <summary>The tree of the tenant's first <paramref name="size"/> entries, as a builder that can take more leaves (its frontier).</summary>
    public async Task<MerkleTreeBuilder> TreeAsync(string tenantId, long size, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var view = new View(this, tenantId, size);
        var frontier = new List<byte[]>();
        foreach (var piece in PerfectPieces(new MerkleRange(0, size))) frontier.Add(await view.RangeAsync(piece, ct));
        return new MerkleTreeBuilder(size, frontier);
    }

    /// <summary>The audit path of the entry at <paramref name="chainSeq"/> in the tree of <paramref name="size"/> leaves (chain_seq ≤ size).</summary>
    public async Task<InclusionProof> InclusionProofAsync(string tenantId, long chainSeq, long size, CancellationToken ct = default)
    {
        var index = chainSeq - 1;
        var plan = MerkleProofPlan.Inclusion(index, size);
        var view = new View(this, tenantId, size);
        var path = new List<byte[]>();
        foreach (var range in plan) path.Add(await view.RangeAsync(range, ct));
        var root = await view.RangeAsync(new MerkleRange(0, size), ct);
        var entryHash = await view.EntryHashAsync(index, ct);
        return new InclusionProof(index, size, entryHash, MerkleHash.Leaf(entryHash), path, root);
    }

    public async Task<ConsistencyProof> ConsistencyProofAsync(string tenantId, long first, long second, CancellationToken ct = default)
    {
        var plan = MerkleProofPlan.Consistency(first, second);
        var view = new View(this, tenantId, second);
        var path = new List<byte[]>();
        foreach (var range in plan) path.Add(await view.RangeAsync(range, ct));
        return new ConsistencyProof(first, second, await view.RangeAsync(new MerkleRange(0, first), ct),
            await view.RangeAsync(new MerkleRange(0, second), ct), path);
    }

    // A range [s, e) whose start is a multiple of a power of two ≥ its length is the right fold of its perfect subtrees,
    // one per set bit of the length, largest first — each aligned to its own size.
    private static IEnumerable<MerkleRange> PerfectPieces(MerkleRange range)
    {
        var start = range.Start;
        for (var bit = 62; bit >= 0; bit--)
        {
            var size = 1L << bit;
            if ((range.Count & size) == 0) continue;
            yield return new MerkleRange(start, start + size);
            start += size;
        }
    }

    private static bool IsAligned(MerkleRange range) =>
        range.Start == 0 || (range.Start & -range.Start) >= long.Max(1, (long)System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)range.Count));

    /// <summary>One request's view of a tenant's tree of <c>size</c> leaves: the blocks it read, so each is read once.</summary>
    private sealed class View(LedgerTreeReader reader, string tenantId, long size)
    {
        private readonly Dictionary<long, (byte[][] Entries, byte[][] Leaves)> read = [];

        public async Task<byte[]> RangeAsync(MerkleRange range, CancellationToken ct)
        {
            if (range.End > size || range.Count < 1) throw new ArgumentOutOfRangeException(nameof(range));
            if (!IsAligned(range)) throw new ArgumentException($"[{range.Start}, {range.End}) is not a range RFC 6962 hashes", nameof(range));
            var pieces = new List<byte[]>();
            foreach (var piece in PerfectPieces(range)) pieces.Add(await PerfectAsync(piece, ct));
            var root = pieces[^1];
            for (var i = pieces.Count - 2; i >= 0; i--) root = MerkleHash.Node(pieces[i], root);
            return root;
        }

        public async Task<byte[]> EntryHashAsync(long index, CancellationToken ct) =>
            (await BlockAsync(index / BlockSize, ct)).Entries[index % BlockSize];

        // A perfect, aligned subtree: from cached block hashes when it spans blocks, else from its block's leaves.
        private async Task<byte[]> PerfectAsync(MerkleRange subtree, CancellationToken ct)
        {
            var tree = new MerkleTreeBuilder();
            if (subtree.Count >= BlockSize)
            {
                var hashes = await reader.BlockHashesAsync(tenantId, subtree.End / BlockSize, ct);
                for (var b = subtree.Start / BlockSize; b < subtree.End / BlockSize; b++) tree.AddLeafHash(hashes[(int)b]);
                return tree.Root();
            }
            var leaves = (await BlockAsync(subtree.Start / BlockSize, ct)).Leaves;
            for (var i = subtree.Start; i < subtree.End; i++) tree.AddLeafHash(leaves[i % BlockSize]);
            return tree.Root();
        }

        // The leaves of one block, up to the tree's size (the last block may be partial).
        private async Task<(byte[][] Entries, byte[][] Leaves)> BlockAsync(long block, CancellationToken ct)
        {
            if (read.TryGetValue(block, out var cached)) return cached;
            var (entries, leaves) = (new List<byte[]>(), new List<byte[]>());
            await reader.ReadLeavesAsync(tenantId, block * BlockSize, long.Min(size, (block + 1) * BlockSize), (_, entry, leaf) =>
            {
                entries.Add((byte[])entry.Clone());
                leaves.Add((byte[])leaf.Clone());
            }, ct);
            return read[block] = ([.. entries], [.. leaves]);
        }
    }

    /// <summary>The tenant's complete blocks' hashes, at least <paramref name="count"/> of them: read from where the cache ends.</summary>
    private async Task<IReadOnlyList<byte[]>> BlockHashesAsync(string tenantId, long count, CancellationToken ct)
    {
        if (blocks.Count >= maxTenants && !blocks.ContainsKey(tenantId)) blocks.Clear(); // bounded memory; the next requests read again
        var tenant = blocks.GetOrAdd(tenantId, _ => new TenantBlocks());
        await tenant.Gate.WaitAsync(ct);
        try
        {
            if (tenant.Hashes.Count < count)
            {
                var block = new MerkleTreeBuilder();
                await ReadLeavesAsync(tenantId, tenant.Hashes.Count * BlockSize, count * BlockSize, (_, _, leaf) =>
                {
                    block.AddLeafHash(leaf);
                    if (block.Size < BlockSize) return;
                    tenant.Hashes.Add(block.Root());
                    block = new MerkleTreeBuilder();
                }, ct);
            }
            return tenant.Hashes.ToArray();
        }
        finally
        {
            tenant.Gate.Release();
        }
    }

    private sealed class TenantBlocks
    {
        public List<byte[]> Hashes { get; } = [];

        public SemaphoreSlim Gate { get; } = new(1, 1);
    }

    // One ordered index scan over the leaves [start, end), i.e. chain_seq start+1 … end; each row's entry hash becomes a
    // leaf. A missing position is an incomplete tree, never a silently shorter one.
    private async Task ReadLeavesAsync(string tenantId, long start, long end, Action<long, byte[], byte[]> leafAdded, CancellationToken ct)
    {
        if (start >= end) return;
        await using var command = dataSource.CreateCommand("""
            SELECT chain_seq, entry_hash FROM ledger_chain
             WHERE tenant_id = $1 AND chain_seq > $2 AND chain_seq <= $3
             ORDER BY chain_seq
            """);
        command.Parameters.Add(new() { Value = tenantId });
        command.Parameters.Add(new() { Value = start });
        command.Parameters.Add(new() { Value = end });
        await using var r = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
        var entryHash = new byte[MerkleHash.Size];
        var leaf = new byte[MerkleHash.Size];
        var index = start;
        while (await r.ReadAsync(ct))
        {
            var seq = r.GetInt64(0);
            if (seq != index + 1)
                throw new IncompleteTreeException(string.Create(CultureInfo.InvariantCulture,
                    $"the chain has no entry at {index + 1} (the next stored entry is at {seq})"));
            if (r.GetBytes(1, 0, entryHash, 0, entryHash.Length) != MerkleHash.Size)
                throw new IncompleteTreeException(string.Create(CultureInfo.InvariantCulture, $"the entry hash at {seq} does not have 32 bytes"));
            MerkleHash.Leaf(entryHash, leaf);
            leafAdded(index, entryHash, leaf);
            index++;
        }
        if (index < end)
            throw new IncompleteTreeException(string.Create(CultureInfo.InvariantCulture,
                $"the chain ends at {index}; the tree needs entries through {end}"));
    }
}

using System.Diagnostics;
using System.Security.Cryptography;
using Ledger.EventStore.Chain;
using Ledger.EventStore.Merkle;
using Ledger.TestSupport;
using static Ledger.TestSupport.TestEvents;

namespace Ledger.EventStore.Tests.Merkle;

/// <summary>
/// The tenant's tree as the database streams it, against a tree built here from the entries the auditor API serves
/// (each record re-hashed to its entry hash first): same roots at every size, and every proof verifies against them.
/// </summary>
public sealed class LedgerTreeReaderTests : IAsyncLifetime
{
    private TestDatabase db = null!;

    public async Task InitializeAsync() => db = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await db.DisposeAsync();

    private LedgerTreeReader Tree => new(db.AppDataSource);

    [Fact]
    public async Task Roots_and_proofs_from_the_database_verify_against_a_tree_built_from_the_entries()
    {
        var tenant = TestDatabase.NewTenant();
        var other = TestDatabase.NewTenant("other");
        for (var i = 0; i < 13; i++)
        {
            await db.Store.AppendAsync(tenant, [To("s-" + (i % 3), ExpectedVersion.Any, Event())]);
            if (i % 4 == 0) await db.Store.AppendAsync(other, [To("s", ExpectedVersion.Any, Event())]);
        }
        await db.SealedAsync();
        var leaves = await IndependentLeavesAsync(tenant);
        leaves.Count.ShouldBe(13);

        (await Tree.RootAsync(tenant, 0)).ShouldBe(MerkleHash.EmptyRoot());
        for (var size = 1; size <= 13; size++)
        {
            var root = MerkleTree.Root(leaves[..size]);
            (await Tree.RootAsync(tenant, size)).ShouldBe(root, $"root of size {size}");
            for (var seq = 1; seq <= size; seq++)
            {
                var proof = await Tree.InclusionProofAsync(tenant, seq, size);
                (proof.LeafIndex, proof.TreeSize).ShouldBe((seq - 1L, (long)size));
                proof.RootHash.ShouldBe(root);
                proof.LeafHash.ShouldBe(leaves[seq - 1]);
                MerkleHash.Leaf(proof.EntryHash).ShouldBe(leaves[seq - 1]);
                MerkleProofVerifier.InclusionFailure(seq - 1, size, leaves[seq - 1], proof.Path, root).ShouldBeNull($"entry {seq} of {size}");
            }
            for (var first = 1; first <= size; first++)
            {
                var proof = await Tree.ConsistencyProofAsync(tenant, first, size);
                proof.FirstRoot.ShouldBe(MerkleTree.Root(leaves[..first]));
                proof.SecondRoot.ShouldBe(root);
                MerkleProofVerifier.ConsistencyFailure(first, size, proof.Path, MerkleTree.Root(leaves[..first]), root).ShouldBeNull($"{first} to {size}");
            }
        }
        (await Tree.RootAsync(other, 4)).ShouldBe(MerkleTree.Root(await IndependentLeavesAsync(other)), "each tenant has its own tree");
    }

    [Fact]
    public async Task A_tree_beyond_the_chain_or_over_a_gap_is_refused_and_a_rewrite_breaks_consistency_with_a_kept_root()
    {
        var tenant = TestDatabase.NewTenant();
        for (var i = 0; i < 10; i++) await db.Store.AppendAsync(tenant, [To("s", ExpectedVersion.Any, Event())]);
        await db.SealedAsync();
        var kept = await Tree.RootAsync(tenant, 8);

        (await Should.ThrowAsync<IncompleteTreeException>(() => Tree.RootAsync(tenant, 11))).Message.ShouldContain("ends at 10");
        await db.RewriteFromAsync(tenant, 4);
        var rewritten = await Tree.ConsistencyProofAsync(tenant, 8, 10);
        rewritten.FirstRoot.ShouldNotBe(kept);
        MerkleProofVerifier.ConsistencyFailure(8, 10, rewritten.Path, kept, rewritten.SecondRoot).ShouldNotBeNull("the auditor's root of size 8 is not in the rewritten tree");

        await db.TamperAsync("DELETE FROM events WHERE tenant_id = $1 AND chain_seq = 6", tenant);
        (await Should.ThrowAsync<IncompleteTreeException>(() => Tree.InclusionProofAsync(tenant, 2, 10))).Message.ShouldContain("no entry at 6");
        (await Tree.RootAsync(tenant, 5)).ShouldNotBeNull("the tree before the gap is whole");
    }

    [Fact]
    public async Task A_tree_of_100k_entries_streams_from_the_database_and_its_proofs_verify()
    {
        var tenant = TestDatabase.NewTenant("big");
        // Chain rows written directly (the records behind them do not matter to the tree): 100k appends would take minutes.
        await using (var insert = db.AdminDataSource.CreateCommand("""
            INSERT INTO ledger_chain (tenant_id, chain_seq, seq_id, entry_hash, chain_hash)
            SELECT $1, g, -g, sha256(int8send(g)), sha256(int8send(-g)) FROM generate_series(1, 100000) g
            """))
        {
            insert.Parameters.Add(new() { Value = tenant });
            await insert.ExecuteNonQueryAsync();
        }
        var leaves = Enumerable.Range(1, 100_000).Select(g => MerkleHash.Leaf(SHA256.HashData(BigEndian(g)))).ToList();

        var reader = Tree;
        var clock = Stopwatch.StartNew();
        var root = await reader.RootAsync(tenant, 100_000);
        var rootTime = clock.Elapsed;
        var proof = await reader.InclusionProofAsync(tenant, 54_321, 100_000);
        clock.Stop();
        Console.WriteLine($"100k entries from PostgreSQL: root in {rootTime.TotalMilliseconds:F0} ms, then an inclusion proof from the kept blocks in {(clock.Elapsed - rootTime).TotalMilliseconds:F0} ms");

        root.ShouldBe(MerkleTree.Root(leaves));
        MerkleProofVerifier.InclusionFailure(54_320, 100_000, leaves[54_320], proof.Path, root).ShouldBeNull();
        rootTime.ShouldBeLessThan(TimeSpan.FromSeconds(10), "a generous bound on a shared machine; the hashing alone is well under a second");
    }

    [Fact]
    public async Task One_reader_keeps_whole_blocks_and_its_roots_and_proofs_stay_right_across_block_edges_as_the_log_grows()
    {
        var tenant = TestDatabase.NewTenant("blocks");
        await InsertChainRowsAsync(tenant, 1, 1000);
        var reader = new LedgerTreeReader(db.AppDataSource); // one instance, as the Host holds it: its block cache is shared
        var leaves = Enumerable.Range(1, 1300).Select(g => MerkleHash.Leaf(SHA256.HashData(BigEndian(g)))).ToList();

        foreach (var size in new[] { 1, 255, 256, 257, 511, 512, 513, 1000 })
            await ProvesAsync(reader, tenant, leaves, size);
        await InsertChainRowsAsync(tenant, 1001, 1300); // the log grows past the blocks already kept
        foreach (var size in new[] { 1024, 1025, 1300 })
            await ProvesAsync(reader, tenant, leaves, size);
        (await reader.TreeAsync(tenant, 777)).Root().ShouldBe(MerkleTree.Root(leaves[..777]), "a frontier from blocks and leaves");
    }

    private static async Task ProvesAsync(LedgerTreeReader reader, string tenant, List<byte[]> leaves, int size)
    {
        var root = MerkleTree.Root(leaves[..size]);
        (await reader.RootAsync(tenant, size)).ShouldBe(root, $"root of {size}");
        foreach (var seq in new[] { 1, 128, 256, 257, 600, size }.Where(s => s <= size))
        {
            var proof = await reader.InclusionProofAsync(tenant, seq, size);
            proof.RootHash.ShouldBe(root);
            MerkleProofVerifier.InclusionFailure(seq - 1, size, leaves[seq - 1], proof.Path, root).ShouldBeNull($"entry {seq} of {size}");
        }
        foreach (var first in new[] { 1, 255, 256, 300, 512, size }.Where(f => f <= size))
        {
            var proof = await reader.ConsistencyProofAsync(tenant, first, size);
            proof.FirstRoot.ShouldBe(MerkleTree.Root(leaves[..first]));
            MerkleProofVerifier.ConsistencyFailure(first, size, proof.Path, proof.FirstRoot, root).ShouldBeNull($"{first} to {size}");
        }
    }

    // Chain rows written directly (the records behind them do not matter to the tree): appends would take minutes.
    private async Task InsertChainRowsAsync(string tenant, long from, long to)
    {
        await using var insert = db.AdminDataSource.CreateCommand("""
            INSERT INTO ledger_chain (tenant_id, chain_seq, seq_id, entry_hash, chain_hash)
            SELECT $1, g, -g, sha256(int8send(g)), sha256(int8send(-g)) FROM generate_series($2::bigint, $3::bigint) g
            """);
        insert.Parameters.Add(new() { Value = tenant });
        insert.Parameters.Add(new() { Value = from });
        insert.Parameters.Add(new() { Value = to });
        await insert.ExecuteNonQueryAsync();
    }

    // The leaves from the entries as the auditor API serves them, each record hashed again: nothing of the tree code.
    private async Task<List<byte[]>> IndependentLeavesAsync(string tenant)
    {
        var entries = await new ChainEntryReader(db.AppDataSource).ReadAsync(tenant, 1, null, 1000);
        foreach (var e in entries) SHA256.HashData(e.Record).ShouldBe(e.EntryHash);
        return [.. entries.Select(e => SHA256.HashData([0, .. e.EntryHash]))];
    }

    private static byte[] BigEndian(long value)
    {
        var bytes = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }
}

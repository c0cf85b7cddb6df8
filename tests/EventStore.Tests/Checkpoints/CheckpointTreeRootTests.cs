using System.Security.Cryptography;
using System.Text;
using Ledger.EventStore.Chain;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Merkle;
using Ledger.TestSupport;

namespace Ledger.EventStore.Tests.Checkpoints;

/// <summary>
/// Checkpoint format 2 (docs/ledger-format.md §8): the signer signs the tenant's Merkle tree root beside its chain hash,
/// whether it resumes the tree from its last round or recomputes it after a restart; every walk checks the root.
/// </summary>
public sealed class CheckpointTreeRootTests : IAsyncLifetime
{
    private AuditedLedger ledger = null!;

    public async Task InitializeAsync() => ledger = await AuditedLedger.CreateAsync();

    public async Task DisposeAsync() => await ledger.DisposeAsync();

    [Fact]
    public async Task The_signed_root_is_the_tree_of_every_entry_through_the_head_whether_the_signer_resumed_or_restarted()
    {
        var tenant = TestDatabase.NewTenant("tree");
        var reader = new LedgerTreeReader(ledger.Db.AppDataSource);
        var trees = new SignedTrees();
        var signed = new List<Checkpoint>();
        foreach (var (count, fresh) in new[] { (6, false), (7, false), (1, true), (9, false) })
        {
            await ledger.AppendAsync(tenant, count);
            ledger.Clock.Advance(TimeSpan.FromMilliseconds(10));
            // A fresh SignedTrees is a restarted signer: it walks from the first entry again.
            var outcome = await ledger.Checkpointer(trees: fresh ? new SignedTrees() : trees).CheckpointAsync(tenant);
            outcome.Result.ShouldBe(CheckpointResult.Signed, outcome.Failure?.Detail);
            signed.Add(outcome.Checkpoint!.Checkpoint);
        }
        foreach (var checkpoint in signed)
        {
            checkpoint.Format.ShouldBe(2);
            checkpoint.TreeRoot.ShouldBe(await reader.RootAsync(tenant, checkpoint.ChainSeq), $"at {checkpoint.ChainSeq}");
        }
        var stored = (await ledger.Checkpoints.LatestAsync(tenant))!;
        stored.Checkpoint.TreeRoot.ShouldBe(signed[^1].TreeRoot, "the stored index column agrees with the JWS");
        Checkpoint.ParsePayload(Es256Jws.UnverifiedPayload(stored.Jws)!).TreeRoot.ShouldBe(signed[^1].TreeRoot);

        var (last, _) = await ledger.VerifyAllAsync(tenant, from: 7);
        last.Status.ShouldBe(VerificationStatus.Verified, last.Failure?.Detail);
        last.TreeRoot.ShouldBe(await reader.RootAsync(tenant, last.VerifiedThrough), "a range verified from 7 resumes the tree from the entries before it");
    }

    [Fact]
    public async Task The_payload_of_format_2_names_the_tree_and_a_tree_size_other_than_the_position_is_refused()
    {
        var root = SHA256.HashData("root"u8);
        var checkpoint = new Checkpoint("acme", 8, new byte[32], new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero), root);
        Encoding.UTF8.GetString(checkpoint.Payload()).ShouldBe(
            "{\"chain_hash\":\"" + new string('0', 64) + "\",\"chain_seq\":8,\"checkpoint_format\":2,\"issued_at\":\"2026-12-05T10:00:00.000000Z\","
            + "\"tenant_id\":\"acme\",\"tree_root\":\"" + Convert.ToHexStringLower(root) + "\",\"tree_size\":8}");
        Checkpoint.ParsePayload(checkpoint.Payload()).TreeRoot.ShouldBe(root);

        foreach (var forged in new[] { "\"tree_size\":8}", "\"tree_size\":\"8\"}" })
        {
            var payload = Encoding.UTF8.GetString(checkpoint.Payload()).Replace("\"tree_size\":8}", forged.Replace("8", "7"), StringComparison.Ordinal);
            Should.Throw<FormatException>(() => Checkpoint.ParsePayload(Encoding.UTF8.GetBytes(payload)));
        }
        var withoutRoot = Encoding.UTF8.GetString(checkpoint.Payload()).Replace("\"tree_root\":\"" + Convert.ToHexStringLower(root) + "\",", "", StringComparison.Ordinal);
        Should.Throw<FormatException>(() => Checkpoint.ParsePayload(Encoding.UTF8.GetBytes(withoutRoot)));
        var format3 = Encoding.UTF8.GetString(checkpoint.Payload()).Replace("\"checkpoint_format\":2", "\"checkpoint_format\":3", StringComparison.Ordinal);
        Should.Throw<FormatException>(() => Checkpoint.ParsePayload(Encoding.UTF8.GetBytes(format3)));
        (checkpoint with { TreeRoot = null }).Format.ShouldBe(1);
    }

    [Fact]
    public void A_walk_without_the_tree_counts_the_roots_it_could_not_check_and_one_with_it_refuses_a_wrong_root()
    {
        var chain = LedgerRecord.Link(LedgerRecord.GenesisHash, SHA256.HashData("r"u8));
        var anchor = new ChainAnchor(1, chain, "the checkpoint at 1", TreeRoot: SHA256.HashData("wrong"u8));

        var blind = new ChainWalk(1, LedgerRecord.GenesisHash);
        blind.AddAnchors([anchor]);
        blind.Accept(1, "r"u8, SHA256.HashData("r"u8), chain).ShouldBeTrue();
        (blind.TreeRootsUnchecked, blind.AnchorsReached).ShouldBe((1, 1));

        var seeing = ChainWalk.FromGenesis();
        seeing.AddAnchors([anchor]);
        seeing.Accept(1, "r"u8, SHA256.HashData("r"u8), chain).ShouldBeFalse();
        seeing.Failure!.Reason.ShouldBe(ChainFailureReason.CheckpointMismatch);
        seeing.Failure.Detail.ShouldContain("tree root");

        var right = ChainWalk.FromGenesis();
        right.AddAnchors([anchor with { TreeRoot = MerkleHash.Leaf(SHA256.HashData("r"u8)) }]);
        right.Accept(1, "r"u8, SHA256.HashData("r"u8), chain).ShouldBeTrue();
    }
}

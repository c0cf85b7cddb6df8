using Ledger.EventStore.Chain;
using Ledger.EventStore.Checkpoints;
using Ledger.TestSupport;

namespace Ledger.EventStore.Tests.Checkpoints;

/// <summary>
/// The signer's own record of what it signed (<see cref="SignedHeads"/>, a file beside its key): a database owner who
/// rewrites a chain, hashes and all, and deletes the checkpoints that would contradict it, no longer gets the rewrite
/// signed — the signer stops and names where the chains part.
/// </summary>
public sealed class SignedHeadsTests : IAsyncLifetime
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "ledger-signed-heads-" + Guid.NewGuid().ToString("N"));
    private AuditedLedger ledger = null!;

    private string FilePath => Path.Combine(folder, "checkpoint-key.pem.signed.jsonl");

    public async Task InitializeAsync() => ledger = await AuditedLedger.CreateAsync();

    public async Task DisposeAsync()
    {
        await ledger.DisposeAsync();
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    private async Task<CheckpointOutcome> SignAsync(Checkpointer signer, string tenant)
    {
        ledger.Clock.Advance(TimeSpan.FromMilliseconds(10));
        return await signer.CheckpointAsync(tenant);
    }

    [Fact]
    public async Task A_rewritten_chain_whose_checkpoints_were_deleted_is_not_signed_and_the_signer_names_where_the_chains_part()
    {
        var signer = ledger.Checkpointer(signed: SignedHeads.Open(FilePath));
        var tenant = TestDatabase.NewTenant("rewrite");
        await ledger.AppendAsync(tenant, 4);
        (await SignAsync(signer, tenant)).Checkpoint!.Checkpoint.ChainSeq.ShouldBe(5); // with the key's rotation entry
        await ledger.AppendAsync(tenant, 5);
        (await SignAsync(signer, tenant)).Checkpoint!.Checkpoint.ChainSeq.ShouldBe(10);

        // The superuser's rewrite: entry 8 edited, every hash after it recomputed, the checkpoint rows deleted.
        await ledger.RewriteFromAsync(tenant, 8);
        await ledger.TamperAsync("DELETE FROM checkpoints WHERE tenant_id = $1", tenant);
        await ledger.AppendAsync(tenant, 2);
        // A signer trusting the database alone would vouch for it: the chain verifies from the genesis on.
        (await SignAsync(ledger.Checkpointer(), tenant)).Result.ShouldBe(CheckpointResult.Signed);
        await ledger.TamperAsync("DELETE FROM checkpoints WHERE tenant_id = $1", tenant);

        var refused = await SignAsync(signer, tenant);
        refused.Result.ShouldBe(CheckpointResult.Rewritten);
        (refused.Failure!.Position, refused.Failure.Reason).ShouldBe((10L, ChainFailureReason.CheckpointMismatch));
        refused.Failure.Detail.ShouldContain("agree up to position 5 and differ after it, at or before 10");
        (await ledger.Checkpoints.LatestAsync(tenant)).ShouldBeNull("nothing signed");

        // Stopped for every tenant, not only this one: the database that rewrote one chain can rewrite any.
        var other = TestDatabase.NewTenant("other");
        await ledger.AppendAsync(other, 3);
        (await SignAsync(signer, other)).Result.ShouldBe(CheckpointResult.Halted);
        signer.Halt!.TenantId.ShouldBe(tenant);

        // A restarted signer reads its record again: still stopped, for every tenant.
        var restarted = ledger.Checkpointer(signed: SignedHeads.Open(FilePath));
        var again = await SignAsync(restarted, other);
        (again.Result, again.Failure!.Position).ShouldBe((CheckpointResult.Halted, 10L));
    }

    [Fact]
    public async Task A_chain_cut_short_below_what_was_signed_is_refused_and_a_chain_that_extends_it_is_signed()
    {
        var signer = ledger.Checkpointer(signed: SignedHeads.Open(FilePath));
        var tenant = TestDatabase.NewTenant("extend");
        await ledger.AppendAsync(tenant, 4);
        await SignAsync(signer, tenant);
        await ledger.AppendAsync(tenant, 3);
        (await SignAsync(signer, tenant)).Result.ShouldBe(CheckpointResult.Signed, "the chain extends what was signed");
        SignedHeads.Open(FilePath).For(tenant).Select(h => h.ChainSeq).ShouldBe([5L, 8L]);

        await ledger.TamperAsync("DELETE FROM checkpoints WHERE tenant_id = $1", tenant);
        await ledger.TamperAsync("DELETE FROM events WHERE tenant_id = $1 AND chain_seq > 6", tenant);
        await ledger.TamperAsync("UPDATE chain_heads SET chain_seq = 6, chain_hash = $2 WHERE tenant_id = $1",
            tenant, await ledger.StoredChainHashAsync(tenant, 6));

        var refused = await SignAsync(ledger.Checkpointer(signed: SignedHeads.Open(FilePath)), tenant);
        refused.Result.ShouldBe(CheckpointResult.Rewritten);
        refused.Failure!.Position.ShouldBe(8);
        refused.Failure.Detail.ShouldContain("the database has no entry there");
    }

    [Fact]
    public void The_record_is_its_owners_alone_and_a_line_it_did_not_write_stops_it_from_opening()
    {
        var heads = SignedHeads.Open(FilePath);
        heads.Record(new SignedHead("t-1", 3, new byte[32]));
        if (!OperatingSystem.IsWindows())
            File.GetUnixFileMode(FilePath).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        SignedHeads.Open(FilePath).For("t-1").ShouldHaveSingleItem().ChainSeq.ShouldBe(3);

        File.AppendAllText(FilePath, "{\"tenant_id\":\"t-1\",\"chain_seq\":\"x\"}\n");
        Should.Throw<InvalidDataException>(() => SignedHeads.Open(FilePath)).Message.ShouldContain("line 2");
    }

    [Fact]
    public void A_signer_taking_over_reads_what_another_host_sharing_the_record_signed_and_found()
    {
        var standby = SignedHeads.Open(FilePath);
        var active = SignedHeads.Open(FilePath);
        active.Record(new SignedHead("t-1", 4, new byte[32]));
        active.Stop(new SignerHalt("t-2", 7, "rewritten"));
        standby.For("t-1").ShouldBeEmpty("read at start, before the other host signed");

        standby.Refresh();

        standby.For("t-1").ShouldHaveSingleItem().ChainSeq.ShouldBe(4);
        standby.Halt.ShouldBe(new SignerHalt("t-2", 7, "rewritten"));
    }
}

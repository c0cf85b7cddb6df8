using Ledger.EventStore.Chain;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Merkle;
using Ledger.EventStore.Tests.Checkpoints;
using Ledger.EventStore.Witnesses;

namespace Ledger.EventStore.Tests.Witnesses;

/// <summary>
/// <c>ledger verify --witness</c>'s cross-check against the real PostgreSQL: a witness directory holding what Ledger
/// signed agrees with an untouched chain, and once a superuser rewrites the chain (and deletes the checkpoint rows that
/// would tell), the witness names the positions the database no longer agrees with.
/// </summary>
public sealed class WitnessedChainCheckTests : IAsyncLifetime
{
    private const string KeyName = "ledger.test";
    private AuditedLedger ledger = null!;

    public async Task InitializeAsync() => ledger = await AuditedLedger.CreateAsync();

    public async Task DisposeAsync() => await ledger.DisposeAsync();

    // What a directory witness holds after Ledger published the tenant's checkpoints to it.
    private async Task<string> WitnessAsync(string tenant)
    {
        var folder = ledger.NewFolder();
        Directory.CreateDirectory(Path.Combine(folder, tenant));
        await foreach (var signed in ledger.Checkpoints.AllInRangeAsync(tenant, 1, long.MaxValue))
        {
            var c = signed.Checkpoint;
            var body = new CheckpointNoteBody(CheckpointNote.Origin(KeyName, tenant), c.ChainSeq, c.TreeRoot!, c.ChainHash, c.IssuedAt);
            await File.WriteAllTextAsync(Path.Combine(folder, tenant, $"{c.ChainSeq}.jws"), signed.Jws + "\n");
            await File.WriteAllTextAsync(Path.Combine(folder, tenant, $"{c.ChainSeq}.note"), CheckpointNote.Sign(body, KeyName, ledger.Key));
        }
        return folder;
    }

    private async Task<WitnessReport> CheckAsync(string folder, string tenant) =>
        await new WitnessedChainCheck(ledger.Db.AdminDataSource).CheckDirectoryAsync(folder, tenant, await ledger.History.ReadAsync(), KeyName, default);

    [Fact]
    public async Task A_witness_agrees_with_the_chain_it_witnessed_and_names_each_position_after_a_rewrite()
    {
        var tenant = await ledger.TenantWithCheckpointsAsync();
        var folder = await WitnessAsync(tenant);

        var clean = await CheckAsync(folder, tenant);
        (clean.Checkpoints, clean.Notes).ShouldBe((2, 2));
        clean.Findings.ShouldBeEmpty();
        clean.Jws.Count.ShouldBe(2);

        await ledger.RewriteFromAsync(tenant, 7);
        await ledger.TamperAsync("DELETE FROM checkpoints WHERE tenant_id = $1", tenant);

        var rewritten = await CheckAsync(folder, tenant);
        rewritten.Findings.Select(f => (f.Position, f.Reason)).ShouldBe(
            [(10, ChainFailureReason.CheckpointMismatch), (10, ChainFailureReason.CheckpointMismatch)], "5 is before the rewrite; the JWS and the note at 10 both disagree");
        rewritten.Findings[0].Detail.ShouldContain("the database has");
    }

    [Fact]
    public async Task A_forged_file_a_note_for_another_size_and_a_root_the_chain_does_not_have_are_each_reported()
    {
        var tenant = await ledger.TenantWithCheckpointsAsync();
        var folder = await WitnessAsync(tenant);
        using var forger = CheckpointKey.Generate();
        var five = (await ledger.Checkpoints.AtAsync(tenant, 5))!.Checkpoint;
        await File.WriteAllTextAsync(Path.Combine(folder, tenant, "5.jws"), SignedCheckpoint.Sign(five, forger).Jws + "\n");
        var ten = (await ledger.Checkpoints.AtAsync(tenant, 10))!.Checkpoint;
        var wrongRoot = new CheckpointNoteBody(CheckpointNote.Origin(KeyName, tenant), 10, new byte[32], ten.ChainHash, ten.IssuedAt);
        await File.WriteAllTextAsync(Path.Combine(folder, tenant, "10.note"), CheckpointNote.Sign(wrongRoot, KeyName, ledger.Key));
        var sizeNine = wrongRoot with { TreeSize = 9, TreeRoot = await new LedgerTreeReader(ledger.Db.AdminDataSource).RootAsync(tenant, 9) };
        await File.WriteAllTextAsync(Path.Combine(folder, tenant, "3.note"), CheckpointNote.Sign(sizeNine, KeyName, ledger.Key));

        var report = await CheckAsync(folder, tenant);
        report.Findings.Select(f => (f.Position, f.Reason)).ShouldBe([
            (3, ChainFailureReason.Malformed),
            (5, ChainFailureReason.BadSignature),
            (10, ChainFailureReason.CheckpointMismatch),
        ]);
        report.Findings[2].Detail.ShouldContain("does not say what the checkpoint beside it says");
    }
}

using Ledger.EventStore.Chain;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Export;
using Ledger.EventStore.Tests.Checkpoints;

namespace Ledger.EventStore.Tests.Export;

/// <summary>
/// docs/ledger-format.md §10: an export cannot hide a checkpoint the auditor already holds. One that claims to reach the
/// end of the tenant's log (its manifest's <c>to</c> is its <c>head</c>) fails as incomplete when the auditor holds a
/// checkpoint past its end signed before it was made; a range export cut short on purpose, or a checkpoint signed after
/// the export, is no concern. The C# verifier and tools/verify-export.py agree. The tenant has checkpoints at 5 and 10.
/// </summary>
public sealed class ExportCompletenessTests : IAsyncLifetime
{
    private AuditedLedger ledger = null!;
    private string tenant = null!;
    private LedgerKeySet keys = null!;
    private string folder = null!;

    public async Task InitializeAsync()
    {
        ledger = await AuditedLedger.CreateAsync();
        tenant = await ledger.TenantWithCheckpointsAsync();
        keys = await ledger.History.ReadAsync();
        folder = Directory.CreateDirectory(ledger.NewFolder()).FullName;
        await File.WriteAllBytesAsync(Path.Combine(folder, "keys.json"), keys.ToJson());
    }

    public async Task DisposeAsync() => await ledger.DisposeAsync();

    [Fact]
    public async Task A_whole_log_export_of_a_truncated_chain_fails_as_incomplete_against_a_held_checkpoint_past_its_end()
    {
        var held = await HoldAsync((await ledger.Checkpoints.AtAsync(tenant, 10))!);
        var hash8 = await ledger.StoredChainHashAsync(tenant, 8);
        await ledger.TamperAsync("DELETE FROM events WHERE tenant_id = $1 AND chain_seq > 8", tenant);
        await ledger.TamperAsync("DELETE FROM checkpoints WHERE tenant_id = $1 AND chain_seq > 8", tenant);
        await ledger.TamperAsync("UPDATE chain_heads SET chain_seq = 8, chain_hash = $2 WHERE tenant_id = $1", tenant, hash8);

        var export = await ledger.ExportAsync(tenant);
        var manifest = ExportManifest.Parse(await File.ReadAllBytesAsync(Path.Combine(export, ExportFiles.Manifest)));
        (manifest.To, manifest.Head, manifest.ClaimsWholeLog).ShouldBe((8L, (long?)8, true));
        ExportVerifier.Verify(export, keys).Succeeded.ShouldBeTrue("nothing in the export itself says the log was longer");

        var offline = ExportVerifier.Verify(export, keys, [held.Jws]);
        offline.Failures.ShouldHaveSingleItem(string.Join("\n", offline.Failures));
        (offline.ChainFailure!.Position, offline.ChainFailure.Reason).ShouldBe((9L, ChainFailureReason.MissingTail), offline.ChainFailure.Detail);
        offline.ChainFailure.Detail.ShouldContain("the checkpoint at 10");

        if (await PythonVerifier.RunAsync(export, "--jwks", Keys, "--checkpoints", held.File) is { } python)
        {
            python.ExitCode.ShouldBe(1, python.Output + python.Error);
            python.Failures.ShouldBe([new PythonFailure("missing_tail", 9, null)], python.Output);
        }
    }

    [Fact]
    public async Task A_range_export_cut_before_a_held_checkpoint_and_an_export_older_than_it_both_verify()
    {
        var range = await ledger.ExportAsync(tenant, to: 8);
        var whole = await ledger.ExportAsync(tenant);
        await ledger.AppendAsync(tenant, 4);
        var later = await HoldAsync(await ledger.CheckpointAsync(tenant));
        var earlier = await HoldAsync((await ledger.Checkpoints.AtAsync(tenant, 10))!);

        foreach (var (export, held) in new[] { (range, earlier), (whole, later) })
        {
            var manifest = ExportManifest.Parse(await File.ReadAllBytesAsync(Path.Combine(export, ExportFiles.Manifest)));
            manifest.Head.ShouldBe(10);
            var offline = ExportVerifier.Verify(export, keys, [held.Jws]);
            offline.Succeeded.ShouldBeTrue(string.Join("\n", offline.Failures));

            if (await PythonVerifier.RunAsync(export, "--jwks", Keys, "--checkpoints", held.File) is { } python)
                python.ExitCode.ShouldBe(0, python.Output + python.Error);
        }
    }

    [Fact]
    public async Task A_manifest_without_head_written_before_the_member_existed_still_verifies_and_claims_nothing()
    {
        var export = await ledger.ExportAsync(tenant);
        var manifest = ExportManifest.Parse(await File.ReadAllBytesAsync(Path.Combine(export, ExportFiles.Manifest))) with { Head = null };
        // Re-signed as an older Ledger would have written it.
        var bytes = manifest.ToJson();
        System.Text.Encoding.UTF8.GetString(bytes).ShouldNotContain("\"head\"");
        await File.WriteAllBytesAsync(Path.Combine(export, ExportFiles.Manifest), bytes);
        await File.WriteAllTextAsync(Path.Combine(export, ExportFiles.ManifestSignature), Es256Jws.Sign(ledger.Key, Es256Jws.ManifestType, bytes, detached: true) + "\n");

        ExportManifest.Parse(bytes).ClaimsWholeLog.ShouldBeFalse();
        ExportVerifier.Verify(export, keys).Succeeded.ShouldBeTrue();
        if (await PythonVerifier.RunAsync(export, "--jwks", Keys) is { } python)
            python.ExitCode.ShouldBe(0, python.Output + python.Error);
    }

    private string Keys => Path.Combine(folder, "keys.json");

    private async Task<(string Jws, string File)> HoldAsync(SignedCheckpoint checkpoint)
    {
        var file = Path.Combine(folder, $"held-{checkpoint.Checkpoint.ChainSeq}.jws");
        await File.WriteAllTextAsync(file, checkpoint.Jws + "\n");
        return (checkpoint.Jws, file);
    }
}

using System.Text;
using Ledger.EventStore.Chain;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Export;
using Ledger.EventStore.Tests.Checkpoints;
using Ledger.TestSupport;

namespace Ledger.EventStore.Tests.Export;

public sealed class ExportVerifierTests : IAsyncLifetime
{
    private AuditedLedger ledger = null!;
    private string tenant = null!;
    private LedgerKeySet keys = null!;

    public async Task InitializeAsync()
    {
        ledger = await AuditedLedger.CreateAsync();
        tenant = await ledger.TenantWithCheckpointsAsync();
        keys = await ledger.History.ReadAsync();
    }

    public async Task DisposeAsync() => await ledger.DisposeAsync();

    [Fact]
    public async Task The_export_holds_the_entries_as_hashed_the_checkpoints_the_keys_and_a_signed_manifest()
    {
        var export = await ledger.ExportAsync(tenant);

        Directory.GetFiles(export).Select(Path.GetFileName).Order().ShouldBe(ExportFiles.All.Order());
        var manifest = ExportManifest.Parse(await File.ReadAllBytesAsync(Path.Combine(export, ExportFiles.Manifest)));
        (manifest.TenantId, manifest.From, manifest.To, manifest.Count, manifest.CheckpointCount).ShouldBe((tenant, 1L, 10L, 10L, 2));
        manifest.FirstPreviousHash.ShouldBe(LedgerRecord.GenesisHash);
        manifest.LastChainHash.ShouldBe(await ledger.StoredChainHashAsync(tenant, 10));
        manifest.Files.Select(f => f.Name).ShouldBe(ExportFiles.Listed);

        var lines = await File.ReadAllLinesAsync(Path.Combine(export, ExportFiles.Entries));
        lines.Length.ShouldBe(10);
        var first = ChainEntryJson.Parse(Encoding.UTF8.GetBytes(lines[0]), out var recordTenant);
        recordTenant.ShouldBe(tenant);
        Encoding.UTF8.GetString(ChainEntryJson.ToLine(first)).ShouldBe(lines[0], "each line is itself canonical");
        (await File.ReadAllLinesAsync(Path.Combine(export, ExportFiles.Checkpoints))).Length.ShouldBe(2);
        Es256Jws.Verify(await File.ReadAllTextAsync(Path.Combine(export, ExportFiles.ManifestSignature)), keys, Es256Jws.ManifestType,
            await File.ReadAllBytesAsync(Path.Combine(export, ExportFiles.Manifest))).Succeeded.ShouldBeTrue();
    }

    [Theory]
    [InlineData(".tar")]
    [InlineData(".tar.gz")]
    [InlineData(".zip")]
    public async Task An_archived_export_verifies_like_the_folder(string extension)
    {
        var export = await ledger.ExportAsync(tenant);
        var archive = ledger.NewFolder() + extension;
        ExportArchive.Pack(export, archive);
        File.Exists(archive).ShouldBeTrue();

        using var opened = ExportArchive.Open(archive);
        ExportVerifier.Verify(opened.Path, keys).Succeeded.ShouldBeTrue();
        File.Delete(archive);
    }

    [Fact]
    public async Task A_range_export_is_anchored_by_the_checkpoint_just_before_it()
    {
        var export = await ledger.ExportAsync(tenant, from: 6, to: 9);

        var result = ExportVerifier.Verify(export, keys);

        result.Succeeded.ShouldBeTrue(string.Join("\n", result.Failures));
        (result.Manifest!.From, result.VerifiedThrough, result.EntriesChecked, result.CheckpointsReached).ShouldBe((6L, 9L, 4L, 1));
    }

    [Fact]
    public async Task An_edited_manifest_or_checkpoint_file_fails_its_signature()
    {
        var export = await ledger.ExportAsync(tenant);
        var manifestPath = Path.Combine(export, ExportFiles.Manifest);
        await File.WriteAllTextAsync(manifestPath, (await File.ReadAllTextAsync(manifestPath)).Replace("\"count\":10", "\"count\":9", StringComparison.Ordinal));

        var result = ExportVerifier.Verify(export, keys);

        result.Failures.Select(f => (f.Reason, f.File)).ShouldBe([
            (ChainFailureReason.BadSignature, ExportFiles.ManifestSignature),
            (ChainFailureReason.ManifestMismatch, ExportFiles.Entries),
        ]);
    }

    [Fact]
    public async Task Without_the_auditors_key_set_nothing_signed_verifies_and_without_any_key_set_the_exports_own_is_used()
    {
        var export = await ledger.ExportAsync(tenant);
        using var stranger = CheckpointKey.Generate();
        var strangers = new LedgerKeySet([new LedgerPublicKey(stranger.Kid, stranger.X, stranger.Y, null, null, false)]);

        var refused = ExportVerifier.Verify(export, strangers);
        refused.Failures.First().ShouldBe(new ExportFailure(ChainFailureReason.BadSignature, null, ExportFiles.ManifestSignature,
            $"key {ledger.Key.Kid} is not in the key set"));
        refused.ChainFailure!.Position.ShouldBe(5, "the first checkpoint's signature is found bad where it stands");

        var own = ExportVerifier.Verify(export);
        (own.Succeeded, own.KeysFromExport).ShouldBe((true, true));
    }

    [Fact]
    public async Task A_checkpoint_the_auditor_kept_catches_a_chain_rewritten_and_its_checkpoints_deleted()
    {
        var kept = (await ledger.Checkpoints.AtAsync(tenant, 5))!.Jws;
        await ledger.RewriteFromAsync(tenant, 2);
        await ledger.TamperAsync("DELETE FROM checkpoints WHERE tenant_id = $1", tenant);

        var export = await ledger.ExportAsync(tenant);
        ExportVerifier.Verify(export, keys).Succeeded.ShouldBeTrue("a thorough forger leaves an export consistent with itself");

        var withKept = ExportVerifier.Verify(export, keys, [kept]);
        (withKept.ChainFailure!.Position, withKept.ChainFailure.Reason).ShouldBe((5L, ChainFailureReason.CheckpointMismatch));
    }

    [Fact]
    public async Task A_missing_file_and_a_line_that_is_not_json_are_reported_not_thrown()
    {
        var export = await ledger.ExportAsync(tenant);
        File.Delete(Path.Combine(export, ExportFiles.Checkpoints));
        var entries = Path.Combine(export, ExportFiles.Entries);
        var lines = await File.ReadAllLinesAsync(entries);
        lines[6] = "{not json";
        await File.WriteAllLinesAsync(entries, lines);

        var result = ExportVerifier.Verify(export, keys);

        result.Failures.Select(f => (f.Reason, f.Position, f.File)).ShouldBe([
            (ChainFailureReason.FileHashMismatch, null, ExportFiles.Checkpoints),
            (ChainFailureReason.FileHashMismatch, null, ExportFiles.Entries),
            (ChainFailureReason.ManifestMismatch, null, ExportFiles.Checkpoints),
            (ChainFailureReason.Malformed, 7, null),
        ]);
    }

    [Fact]
    public async Task The_python_verifier_implements_RFC_8785_as_the_test_vectors_say()
    {
        if (!PythonVerifier.Available) return;
        var vectors = Path.Combine(PythonVerifier.RepoRoot(), "testdata", "jcs"); // RFC 8785's vectors, vendored
        var script = $$"""
            import importlib.util, os, sys
            spec = importlib.util.spec_from_file_location("v", sys.argv[1]); v = importlib.util.module_from_spec(spec); spec.loader.exec_module(v)
            d = sys.argv[2]
            for f in sorted(os.listdir(os.path.join(d, "input"))):
                ok = v.canonical(v.parse_json(open(os.path.join(d, "input", f), "rb").read())) == open(os.path.join(d, "output", f), "rb").read()
                print(f, "ok" if ok else "DIFFERENT")
            """;
        var start = new System.Diagnostics.ProcessStartInfo("python3") { RedirectStandardOutput = true };
        foreach (var a in new[] { "-c", script, PythonVerifier.Script, vectors }) start.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        output.ShouldNotContain("DIFFERENT");
        output.ShouldContain("weird.json ok");
    }
}

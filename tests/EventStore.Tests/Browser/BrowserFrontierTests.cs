using Ledger.EventStore.Chain;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Export;
using Ledger.EventStore.Merkle;
using Ledger.EventStore.Tests.Checkpoints;

namespace Ledger.EventStore.Tests.Browser;

/// <summary>
/// The browser on exports that start past position 1 (docs/ledger-format.md §9 <c>tree_frontier</c>), each case beside
/// the C# verifier on the same export, as <see cref="Export.ExportTreeFrontierTests"/> runs it: the frontier lets the
/// page check every format-2 tree root in range; a forged one is refuted by the first checkpoint in range; without one
/// the page verifies and says how many roots it left unchecked; one of the wrong length is a malformed manifest.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserFrontierTests(VerifierPage page) : IAsyncLifetime
{
    private AuditedLedger ledger = null!;
    private string tenant = null!;
    private LedgerKeySet keys = null!;
    private string keysFile = null!;

    public async Task InitializeAsync()
    {
        ledger = await AuditedLedger.CreateAsync();
        tenant = await ledger.TenantWithCheckpointsAsync();
        keys = await ledger.History.ReadAsync();
        keysFile = Path.Combine(Directory.CreateDirectory(ledger.NewFolder()).FullName, "keys.json");
        await File.WriteAllBytesAsync(keysFile, keys.ToJson());
    }

    public async Task DisposeAsync() => await ledger.DisposeAsync();

    [Fact]
    public async Task A_range_export_has_every_tree_root_checked_from_its_frontier()
    {
        var export = await ledger.ExportAsync(tenant, from: 4);
        var expected = ExportVerifier.Verify(export, keys);
        expected.Succeeded.ShouldBeTrue(string.Join("\n", expected.Failures));

        var report = await page.VerifyExportAsync(export, keysFile);

        report.Ok.ShouldBeTrue(report.Output);
        report.CheckpointsReached.ShouldBe(expected.CheckpointsReached);
        report.TreeRoot.ShouldBe(Convert.ToHexStringLower(await new LedgerTreeReader(ledger.Db.AppDataSource).RootAsync(tenant, 10)));
        report.Output.ShouldNotContain("not checked");
    }

    [Fact]
    public async Task A_forged_frontier_is_refuted_by_the_first_format_2_checkpoint_in_range_as_in_CSharp()
    {
        var export = await ledger.ExportAsync(tenant, from: 4);
        var manifest = Manifest(export);
        Resign(export, manifest with { TreeFrontier = [manifest.TreeFrontier![0], System.Security.Cryptography.SHA256.HashData("forged"u8)] });
        var expected = ExportVerifier.Verify(export, keys);

        var report = await page.VerifyExportAsync(export, keysFile);

        (report.ChainFailure?.Position, report.ChainFailure?.Reason).ShouldBe((5L, "checkpoint_mismatch"), report.Output);
        report.ChainFailure!.Detail.ShouldContain("tree root");
        Shape(report).ShouldBe(Shape(expected), report.Output);
    }

    [Fact]
    public async Task Without_a_frontier_the_range_verifies_and_the_page_says_how_many_roots_it_left_unchecked()
    {
        var export = await ledger.ExportAsync(tenant, from: 4);
        Resign(export, Manifest(export) with { TreeFrontier = null });
        var expected = ExportVerifier.Verify(export, keys);
        expected.TreeRootsUnchecked.ShouldBe(2);

        var report = await page.VerifyExportAsync(export, keysFile);

        report.Ok.ShouldBeTrue(report.Output);
        report.TreeRoot.ShouldBeNull();
        report.Output.ShouldContain("2 checkpoint tree root(s) not checked: the export starts at 4 without a tree_frontier");
    }

    [Fact]
    public async Task A_frontier_of_the_wrong_length_is_a_malformed_manifest_as_in_CSharp()
    {
        var export = await ledger.ExportAsync(tenant, from: 4);
        var manifest = Manifest(export);
        Resign(export, manifest with { TreeFrontier = [manifest.TreeFrontier![0]] });
        var expected = ExportVerifier.Verify(export, keys);

        var report = await page.VerifyExportAsync(export, keysFile);

        Shape(report).ShouldBe([("malformed", null, ExportFiles.Manifest)], report.Output);
        Shape(report).ShouldBe(Shape(expected));
    }

    private static List<(string, long?, string?)> Shape(BrowserReport report) => [.. report.Failures.Select(f => (f.Reason, f.Position, f.File))];

    private static List<(string, long?, string?)> Shape(ExportVerification verification) =>
        [.. verification.Failures.Select(f => (f.Reason.Code(), f.Position, f.File))];

    private static ExportManifest Manifest(string export) =>
        ExportManifest.Parse(File.ReadAllBytes(Path.Combine(export, ExportFiles.Manifest)));

    // Signed with the real key: what a Ledger with a bug, or its key holder, could write.
    private void Resign(string export, ExportManifest manifest)
    {
        var bytes = manifest.ToJson();
        File.WriteAllBytes(Path.Combine(export, ExportFiles.Manifest), bytes);
        File.WriteAllText(Path.Combine(export, ExportFiles.ManifestSignature), Es256Jws.Sign(ledger.Key, Es256Jws.ManifestType, bytes, detached: true) + "\n");
    }
}

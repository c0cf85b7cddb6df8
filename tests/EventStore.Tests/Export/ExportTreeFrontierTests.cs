using Ledger.EventStore.Chain;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Export;
using Ledger.EventStore.Merkle;
using Ledger.EventStore.Tests.Checkpoints;

namespace Ledger.EventStore.Tests.Export;

/// <summary>
/// docs/ledger-format.md §9: an export that starts past position 1 carries the Merkle frontier of the entries before it
/// (<c>tree_frontier</c>), so its verifiers check the tree roots its format-2 checkpoints sign without the earlier entries.
/// A forged frontier is refuted by the first checkpoint in range; an export without one verifies with its roots unchecked,
/// and says so. The C# verifier and tools/verify-export.py agree. The tenant has checkpoints at 5 and 10.
/// </summary>
public sealed class ExportTreeFrontierTests : IAsyncLifetime
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
    public async Task A_range_export_checks_every_tree_root_from_the_frontier_before_its_range()
    {
        var export = await ledger.ExportAsync(tenant, from: 4);
        var manifest = Manifest(export);
        manifest.TreeFrontier.ShouldNotBeNull().Count.ShouldBe(2, "three entries before the range: subtrees of two and one");

        var offline = ExportVerifier.Verify(export, keys);
        offline.Succeeded.ShouldBeTrue(string.Join("\n", offline.Failures));
        var root = await new LedgerTreeReader(ledger.Db.AppDataSource).RootAsync(tenant, 10);
        (offline.CheckpointsReached, offline.TreeRootsUnchecked).ShouldBe((2, 0));
        offline.TreeRoot.ShouldBe(root);

        if (await PythonVerifier.RunAsync(export, "--jwks", keysFile) is { } python)
        {
            python.ExitCode.ShouldBe(0, python.Output + python.Error);
            python.Output.ShouldContain($"tree root {Convert.ToHexStringLower(root)}");
            python.Output.ShouldNotContain("not checked");
        }
    }

    [Fact]
    public async Task A_forged_frontier_signed_into_the_manifest_is_refuted_by_the_first_checkpoint_in_range()
    {
        var export = await ledger.ExportAsync(tenant, from: 4);
        var manifest = Manifest(export);
        Resign(export, manifest with { TreeFrontier = [manifest.TreeFrontier![0], System.Security.Cryptography.SHA256.HashData("forged"u8)] });

        var offline = ExportVerifier.Verify(export, keys);
        (offline.ChainFailure!.Position, offline.ChainFailure.Reason).ShouldBe((5L, ChainFailureReason.CheckpointMismatch), string.Join("\n", offline.Failures));
        offline.ChainFailure.Detail.ShouldContain("tree root");

        if (await PythonVerifier.RunAsync(export, "--jwks", keysFile) is { } python)
        {
            python.ExitCode.ShouldBe(1, python.Output + python.Error);
            python.Failures.ShouldBe([new PythonFailure("checkpoint_mismatch", 5, null)], python.Output);
        }
    }

    [Fact]
    public async Task A_range_export_without_a_frontier_verifies_with_its_tree_roots_unchecked_and_says_so()
    {
        var export = await ledger.ExportAsync(tenant, from: 4);
        Resign(export, Manifest(export) with { TreeFrontier = null });

        var offline = ExportVerifier.Verify(export, keys);
        offline.Succeeded.ShouldBeTrue(string.Join("\n", offline.Failures));
        offline.TreeRootsUnchecked.ShouldBe(2);
        offline.TreeRoot.ShouldBeNull();

        if (await PythonVerifier.RunAsync(export, "--jwks", keysFile) is { } python)
        {
            python.ExitCode.ShouldBe(0, python.Output + python.Error);
            python.Output.ShouldContain("2 checkpoint tree root(s) not checked: the export starts at 4 without a tree_frontier");
        }
    }

    [Fact]
    public async Task A_frontier_of_the_wrong_length_is_a_malformed_manifest()
    {
        var export = await ledger.ExportAsync(tenant, from: 4);
        var manifest = Manifest(export);
        Resign(export, manifest with { TreeFrontier = [manifest.TreeFrontier![0]] });

        var offline = ExportVerifier.Verify(export, keys);
        offline.Failures.ShouldHaveSingleItem().Reason.ShouldBe(ChainFailureReason.Malformed);
        if (await PythonVerifier.RunAsync(export, "--jwks", keysFile) is { } python)
            python.Failures.ShouldBe([new PythonFailure("malformed", null, ExportFiles.Manifest)], python.Output);
    }

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

using System.Buffers.Text;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.EventStore.Chain;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Export;
using Ledger.EventStore.Merkle;
using Ledger.EventStore.Tests.Checkpoints;
using Ledger.EventStore.Tests.Export;

namespace Ledger.EventStore.Tests.Browser;

/// <summary>
/// The browser verifier on exports that ExportWriter made from the real PostgreSQL: an untouched export verifies from
/// a folder and from each archive; every case of the tamper matrix (<see cref="TamperMatrixTests"/>, read from its own
/// cases) is reported with the failures the C# <see cref="ExportVerifier"/> reports on the same export; a checkpoint
/// signed after its key's revoked_at fails, and so does a format-2 checkpoint whose tree root is not the entries'.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserExportTests(VerifierPage page) : IAsyncLifetime
{
    private AuditedLedger ledger = null!;
    private string scratch = null!;

    public async Task InitializeAsync()
    {
        ledger = await AuditedLedger.CreateAsync();
        scratch = Directory.CreateDirectory(ledger.NewFolder()).FullName;
    }

    public async Task DisposeAsync() => await ledger.DisposeAsync();

    [Theory]
    [InlineData("folder")]
    [InlineData("zip")]
    [InlineData("tar")]
    [InlineData("tar.gz")]
    public async Task An_untouched_export_verifies_as_the_CSharp_verifier_says_from_a_folder_and_from_each_archive(string form)
    {
        var tenant = await ledger.TenantWithCheckpointsAsync();
        var (keys, trusted) = await TrustedKeysAsync();
        var export = await ledger.ExportAsync(tenant);
        var expected = ExportVerifier.Verify(export, keys);
        expected.Succeeded.ShouldBeTrue(string.Join("\n", expected.Failures));

        var chosen = export;
        if (form != "folder")
        {
            chosen = Path.Combine(scratch, "export." + form);
            ExportArchive.Pack(export, chosen);
        }
        var report = await page.VerifyExportAsync(chosen, trusted);

        report.Ok.ShouldBeTrue(report.Output);
        (report.VerifiedThrough, report.Entries, report.CheckpointsReached).ShouldBe((expected.VerifiedThrough, 10L, expected.CheckpointsReached), report.Output);
        report.LastChainHash.ShouldBe(Convert.ToHexStringLower(expected.LastChainHash), report.Output);
        report.TreeRoot.ShouldBe(Convert.ToHexStringLower(MerkleTree.Root(LeafHashes(export))), "the walk from 1 recomputes the RFC 6962 root");
        report.Output.ShouldContain($"OK verified 1..10: 10 entries, {expected.CheckpointsReached} checkpoints reached, last chain hash {report.LastChainHash}");
        report.Workers.ShouldBeGreaterThan(0, "an export's entries are read in Web Workers");
    }

    [Fact]
    public async Task The_page_saved_to_disk_verifies_an_export_offline_without_a_single_request()
    {
        var tenant = await ledger.TenantWithCheckpointsAsync();
        var (keys, trusted) = await TrustedKeysAsync();
        var export = await ledger.ExportAsync(tenant);
        var expected = ExportVerifier.Verify(export, keys);

        var (report, requests) = await page.VerifyExportFromDiskAsync(export, trusted);

        report.Ok.ShouldBeTrue(report.Output);
        report.LastChainHash.ShouldBe(Convert.ToHexStringLower(expected.LastChainHash));
        report.Workers.ShouldBeGreaterThan(0, "workers start from a page opened from disk too");
        requests.Where(url => !url.StartsWith("file:", StringComparison.Ordinal) && !url.StartsWith("blob:", StringComparison.Ordinal)
            && !url.StartsWith("data:", StringComparison.Ordinal)).ShouldBeEmpty();
    }

    public static TheoryData<string, long, string> TamperCases
    {
        get
        {
            var method = typeof(TamperMatrixTests).GetMethod(nameof(TamperMatrixTests.Tampering_is_found_at_its_position_by_the_database_verifier_the_offline_verifier_and_the_python_verifier))!;
            var cases = new TheoryData<string, long, string>();
            foreach (var row in method.GetCustomAttributes<InlineDataAttribute>().SelectMany(a => a.GetData(method)))
                cases.Add((string)row[0], Convert.ToInt64(row[1], System.Globalization.CultureInfo.InvariantCulture), ((ChainFailureReason)row[2]).Code());
            return cases;
        }
    }

    [Theory, MemberData(nameof(TamperCases))]
    public async Task Each_tampering_of_the_matrix_is_reported_as_the_CSharp_verifier_reports_it(string tampering, long position, string reason)
    {
        var tenant = await ledger.TenantWithCheckpointsAsync();
        var (keys, trusted) = await TrustedKeysAsync(); // the auditor's copy, fetched before the tampering
        await TamperMatrixTests.Tamper(ledger, tampering, tenant);
        var export = await ledger.ExportAsync(tenant);
        var expected = ExportVerifier.Verify(export, keys);

        var report = await page.VerifyExportAsync(export, trusted);

        report.Ok.ShouldBeFalse(report.Output);
        (report.ChainFailure?.Position, report.ChainFailure?.Reason).ShouldBe((position, reason), report.Output);
        Shape(report).ShouldBe(Shape(expected), report.Output + "\nC#:\n" + string.Join("\n", expected.Failures));
        var onPageThread = await page.VerifyExportOnPageThreadAsync(export, trusted);
        onPageThread.Workers.ShouldBe(0);
        Shape(onPageThread).ShouldBe(Shape(expected), onPageThread.Output);
    }

    [Fact]
    public async Task An_export_file_edited_after_export_fails_its_digest_and_the_chain_at_the_edited_entry_as_in_CSharp()
    {
        var tenant = await ledger.TenantWithCheckpointsAsync();
        var (keys, trusted) = await TrustedKeysAsync();
        var export = await ledger.ExportAsync(tenant);
        var entries = Path.Combine(export, ExportFiles.Entries);
        var lines = await File.ReadAllLinesAsync(entries);
        lines[3] = lines[3].Replace("\"value\":\"", "\"value\":\"forged-", StringComparison.Ordinal);
        await File.WriteAllLinesAsync(entries, lines);
        var expected = ExportVerifier.Verify(export, keys);

        var report = await page.VerifyExportAsync(export, trusted);

        Shape(report).ShouldBe([("file_hash_mismatch", null, ExportFiles.Entries), ("hash_mismatch", 4, null)], report.Output);
        Shape(report).ShouldBe(Shape(expected));
    }

    [Fact]
    public async Task Without_a_trusted_key_set_the_exports_own_is_used_and_the_page_says_so()
    {
        var tenant = await ledger.TenantWithCheckpointsAsync();
        var export = await ledger.ExportAsync(tenant);

        var report = await page.VerifyExportAsync(export);

        report.Ok.ShouldBeTrue(report.Output);
        report.Output.ShouldContain("the export's own jwks.json was used");
    }

    [Fact]
    public async Task A_range_that_starts_later_verifies_from_its_first_previous_hash_as_in_CSharp()
    {
        var tenant = await ledger.TenantWithCheckpointsAsync();
        var (keys, trusted) = await TrustedKeysAsync();
        var export = await ledger.ExportAsync(tenant, from: 4, to: 8);
        var expected = ExportVerifier.Verify(export, keys);
        expected.Succeeded.ShouldBeTrue(string.Join("\n", expected.Failures));

        var report = await page.VerifyExportAsync(export, trusted);

        report.Ok.ShouldBeTrue(report.Output);
        (report.VerifiedThrough, report.Entries, report.CheckpointsReached).ShouldBe((8L, 5L, expected.CheckpointsReached), report.Output);
        report.Output.ShouldContain("OK verified 4..8: 5 entries");
    }

    [Fact]
    public async Task A_checkpoint_signed_after_its_keys_revocation_is_a_bad_signature_and_one_signed_before_it_counts()
    {
        var tenant = await ledger.TenantWithCheckpointsAsync();
        var export = await ledger.ExportAsync(tenant);
        var revokedAt = ledger.Clock.GetUtcNow().AddHours(1);
        var trusted = await RevokedKeysAsync(revokedAt);
        var hash10 = ChainHashAt(export, 10);

        var before = await page.VerifyExportAsync(export, trusted,
            await KeptAsync(Sign(ledger.Key, Payload(tenant, 10, hash10, revokedAt.AddMinutes(-30)))));
        before.Ok.ShouldBeTrue(before.Output);
        before.CheckpointsReached.ShouldBe(3, "the export's two and the kept one");

        var kept = await KeptAsync(Sign(ledger.Key, Payload(tenant, 10, hash10, revokedAt.AddMinutes(30))));
        var after = await page.VerifyExportAsync(export, trusted, kept);
        Shape(after).ShouldBe([("bad_signature", 10, null)], after.Output);
        after.ChainFailure!.Detail.ShouldContain("revoked");
        var expected = ExportVerifier.Verify(export, LedgerKeySet.Parse(await File.ReadAllBytesAsync(trusted)), await File.ReadAllLinesAsync(kept));
        Shape(after).ShouldBe(Shape(expected), string.Join("\n", expected.Failures));
    }

    [Fact]
    public async Task The_key_revoked_before_the_export_was_made_fails_the_manifest_and_every_checkpoint_signed_since()
    {
        var tenant = await ledger.TenantWithCheckpointsAsync();
        var fifth = (await ledger.Checkpoints.AtAsync(tenant, 5))!.Checkpoint;
        var tenth = (await ledger.Checkpoints.AtAsync(tenant, 10))!.Checkpoint;
        var export = await ledger.ExportAsync(tenant);
        // Compromised since a moment between the two checkpoints: the one at 10 and the manifest no longer count.
        var trusted = await RevokedKeysAsync(fifth.IssuedAt + (tenth.IssuedAt - fifth.IssuedAt) / 2);

        var report = await page.VerifyExportAsync(export, trusted);

        Shape(report).ShouldBe([("bad_signature", null, ExportFiles.ManifestSignature), ("bad_signature", 10, null)], report.Output);
        report.Failures.ShouldAllBe(f => f.Detail.Contains("revoked"));
        var expected = ExportVerifier.Verify(export, LedgerKeySet.Parse(await File.ReadAllBytesAsync(trusted)));
        Shape(report).ShouldBe(Shape(expected), "as the C# verifier with the same revoked key set:\n" + string.Join("\n", expected.Failures));
    }

    [Fact]
    public async Task A_format_2_checkpoint_counts_only_with_the_entries_tree_root_and_its_size()
    {
        var tenant = await ledger.TenantWithCheckpointsAsync();
        var (_, trusted) = await TrustedKeysAsync();
        var export = await ledger.ExportAsync(tenant);
        var hash10 = ChainHashAt(export, 10);
        var root = Convert.ToHexStringLower(MerkleTree.Root(LeafHashes(export)));
        var wrong = Convert.ToHexStringLower(MerkleTree.Root(LeafHashes(export)[..9]));
        var at = ledger.Clock.GetUtcNow();

        var right = await page.VerifyExportAsync(export, trusted, await KeptAsync(Sign(ledger.Key, Payload(tenant, 10, hash10, at, root, 10))));
        right.Ok.ShouldBeTrue(right.Output);
        right.CheckpointsReached.ShouldBe(3);

        var wrongRoot = await page.VerifyExportAsync(export, trusted, await KeptAsync(Sign(ledger.Key, Payload(tenant, 10, hash10, at, wrong, 10))));
        Shape(wrongRoot).ShouldBe([("checkpoint_mismatch", 10, null)], wrongRoot.Output);
        wrongRoot.ChainFailure!.Detail.ShouldContain("tree root");

        var wrongSize = await page.VerifyExportAsync(export, trusted, await KeptAsync(Sign(ledger.Key, Payload(tenant, 10, hash10, at, root, 9))));
        Shape(wrongSize).ShouldBe([("bad_signature", 10, null)], wrongSize.Output);
    }

    private static List<(string, long?, string?)> Shape(BrowserReport report) => [.. report.Failures.Select(f => (f.Reason, f.Position, f.File))];

    private static List<(string, long?, string?)> Shape(ExportVerification verification) =>
        [.. verification.Failures.Select(f => (f.Reason.Code(), f.Position, f.File))];

    private async Task<(LedgerKeySet Keys, string Path)> TrustedKeysAsync()
    {
        var keys = await ledger.History.ReadAsync();
        var path = Path.Combine(scratch, $"keys-{Guid.NewGuid():N}.json");
        await File.WriteAllBytesAsync(path, keys.ToJson());
        return (keys, path);
    }

    /// <summary>The auditor's key set after the key was revoked from <paramref name="at"/> (section 7's revoked_at).</summary>
    private async Task<string> RevokedKeysAsync(DateTimeOffset at)
    {
        var set = JsonNode.Parse((await ledger.History.ReadAsync()).ToJson())!;
        foreach (var key in set["keys"]!.AsArray()) key!["revoked_at"] = LedgerRecord.FormatTimestamp(at);
        var path = Path.Combine(scratch, $"revoked-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, set.ToJsonString());
        return path;
    }

    private async Task<string> KeptAsync(params string[] jwss)
    {
        var path = Path.Combine(scratch, $"kept-{Guid.NewGuid():N}.jws");
        await File.WriteAllTextAsync(path, string.Join("\n", jwss) + "\n");
        return path;
    }

    /// <summary>A checkpoint payload in RFC 8785 order: format 1, or format 2 with a tree.</summary>
    private static string Payload(string tenant, long position, string chainHash, DateTimeOffset issuedAt, string? treeRoot = null, long treeSize = 0) =>
        treeRoot is null
            ? $$"""{"chain_hash":"{{chainHash}}","chain_seq":{{position}},"checkpoint_format":1,"issued_at":"{{LedgerRecord.FormatTimestamp(issuedAt)}}","tenant_id":"{{tenant}}"}"""
            : $$"""{"chain_hash":"{{chainHash}}","chain_seq":{{position}},"checkpoint_format":2,"issued_at":"{{LedgerRecord.FormatTimestamp(issuedAt)}}","tenant_id":"{{tenant}}","tree_root":"{{treeRoot}}","tree_size":{{treeSize}}}""";

    private static string Sign(CheckpointKey key, string payload)
    {
        var header = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($$"""{"alg":"ES256","kid":"{{key.Kid}}","typ":"ledger-checkpoint+jws"}"""));
        var body = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload));
        return $"{header}.{body}.{Base64Url.EncodeToString(key.Sign(Encoding.ASCII.GetBytes(header + "." + body)))}";
    }

    private static IEnumerable<JsonElement> Lines(string export) =>
        File.ReadAllLines(Path.Combine(export, ExportFiles.Entries)).Select(l => JsonDocument.Parse(l).RootElement.Clone());

    private static string ChainHashAt(string export, long position) =>
        Lines(export).Single(l => l.GetProperty("chain_seq").GetInt64() == position).GetProperty("chain_hash").GetString()!;

    private static byte[][] LeafHashes(string export) =>
        [.. Lines(export).Select(l => MerkleHash.Leaf(Convert.FromHexString(l.GetProperty("entry_hash").GetString()!)))];
}

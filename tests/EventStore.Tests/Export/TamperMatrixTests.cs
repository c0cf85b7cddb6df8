using System.Buffers.Text;
using System.Text;
using Ledger.EventStore.Chain;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Export;
using Ledger.EventStore.Tests.Checkpoints;

namespace Ledger.EventStore.Tests.Export;

/// <summary>
/// Each way of tampering is found at its exact position and with its reason three times over: by the verifier over
/// the database (what the auditor API runs), by the offline verifier on an export of the tampered database, and by the
/// independent Python verifier (tools/verify-export.py) on the same export. The tenant has ten entries with signed
/// checkpoints at 5 and 10 (see <see cref="AuditedLedger.TenantWithCheckpointsAsync"/>).
/// </summary>
public sealed class TamperMatrixTests : IAsyncLifetime
{
    private AuditedLedger ledger = null!;
    private string trustedJwks = null!;

    public async Task InitializeAsync()
    {
        ledger = await AuditedLedger.CreateAsync();
        trustedJwks = Path.Combine(Directory.CreateDirectory(ledger.NewFolder()).FullName, "keys.json");
    }

    public async Task DisposeAsync() => await ledger.DisposeAsync();

    [Theory]
    [InlineData("one event's data edited", 4, ChainFailureReason.HashMismatch)]
    [InlineData("an event deleted", 6, ChainFailureReason.Gap)]
    [InlineData("two events swapped", 3, ChainFailureReason.BrokenLink)]
    [InlineData("the tail truncated below a signed checkpoint, head row rewritten", 9, ChainFailureReason.MissingTail)]
    [InlineData("a checkpoint re-signed with a key not in the JWKS", 10, ChainFailureReason.BadSignature)]
    [InlineData("a checkpoint re-signed with a foreign key under the real key id", 10, ChainFailureReason.BadSignature)]
    [InlineData("an entry rewritten with every later hash and the head recomputed", 5, ChainFailureReason.CheckpointMismatch)]
    [InlineData("a checkpoint re-signed by the real key over another tree root", 10, ChainFailureReason.CheckpointMismatch)]
    public async Task Tampering_is_found_at_its_position_by_the_database_verifier_the_offline_verifier_and_the_python_verifier(
        string tampering, long position, ChainFailureReason reason)
    {
        var tenant = await ledger.TenantWithCheckpointsAsync();
        var keys = await ledger.History.ReadAsync(); // the auditor's copy, fetched before the tampering
        await File.WriteAllBytesAsync(trustedJwks, keys.ToJson());
        await Tamper(ledger, tampering, tenant);

        var (online, _) = await ledger.VerifyAllAsync(tenant);
        online.Status.ShouldBe(VerificationStatus.Failed);
        (online.Failure!.Position, online.Failure.Reason).ShouldBe((position, reason), online.Failure.Detail);

        var export = await ledger.ExportAsync(tenant);
        var offline = ExportVerifier.Verify(export, keys);
        offline.Succeeded.ShouldBeFalse();
        offline.Failures.ShouldHaveSingleItem().ShouldBe(offline.ChainFailure, string.Join("\n", offline.Failures));
        (offline.ChainFailure!.Position, offline.ChainFailure.Reason).ShouldBe((position, reason), offline.ChainFailure.Detail);

        if (await PythonVerifier.RunAsync(export, "--jwks", trustedJwks) is { } python)
        {
            python.ExitCode.ShouldBe(1, python.Output + python.Error);
            python.Failures.ShouldHaveSingleItem(python.Output);
            (python.ChainFailure!.Position, python.ChainFailure.Reason).ShouldBe((position, reason.Code()), python.Output);
        }
    }

    [Fact]
    public async Task An_export_file_edited_after_export_fails_its_digest_and_the_chain_at_the_edited_entry()
    {
        var tenant = await ledger.TenantWithCheckpointsAsync();
        var keys = await ledger.History.ReadAsync();
        await File.WriteAllBytesAsync(trustedJwks, keys.ToJson());
        var export = await ledger.ExportAsync(tenant);
        (await ledger.VerifyAllAsync(tenant)).Last.Status.ShouldBe(VerificationStatus.Verified, "the database itself is intact");

        var entries = Path.Combine(export, ExportFiles.Entries);
        var lines = await File.ReadAllLinesAsync(entries);
        lines[3] = lines[3].Replace("\"value\":\"", "\"value\":\"forged-", StringComparison.Ordinal);
        await File.WriteAllLinesAsync(entries, lines);

        var offline = ExportVerifier.Verify(export, keys);
        offline.Failures.Select(f => (f.Reason, f.Position, f.File)).ShouldBe([
            (ChainFailureReason.FileHashMismatch, null, ExportFiles.Entries),
            (ChainFailureReason.HashMismatch, 4, null),
        ]);

        if (await PythonVerifier.RunAsync(export, "--jwks", trustedJwks) is { } python)
        {
            python.ExitCode.ShouldBe(1, python.Output);
            python.Failures.ShouldBe([new PythonFailure("file_hash_mismatch", null, ExportFiles.Entries), new PythonFailure("hash_mismatch", 4, null)]);
        }
    }

    [Fact]
    public async Task An_untouched_export_verifies_in_every_verifier()
    {
        var tenant = await ledger.TenantWithCheckpointsAsync();
        var keys = await ledger.History.ReadAsync();
        await File.WriteAllBytesAsync(trustedJwks, keys.ToJson());
        var export = await ledger.ExportAsync(tenant);

        var offline = ExportVerifier.Verify(export, keys);
        offline.Succeeded.ShouldBeTrue(string.Join("\n", offline.Failures));
        (offline.VerifiedThrough, offline.CheckpointsReached, offline.Manifest!.Count).ShouldBe((10L, 2, 10L));
        var root = await new Ledger.EventStore.Merkle.LedgerTreeReader(ledger.Db.AppDataSource).RootAsync(tenant, 10);
        offline.TreeRoot.ShouldBe(root);
        offline.TreeRootsUnchecked.ShouldBe(0);
        (await ledger.Checkpoints.AtAsync(tenant, 10))!.Checkpoint.TreeRoot.ShouldBe(root);

        if (await PythonVerifier.RunAsync(export, "--jwks", trustedJwks) is { } python)
        {
            python.ExitCode.ShouldBe(0, python.Output + python.Error);
            python.Output.ShouldContain($"OK verified 1..10: 10 entries, 2 checkpoints reached, last chain hash {Convert.ToHexStringLower(offline.LastChainHash)}, tree root {Convert.ToHexStringLower(root)}");
        }
    }

    /// <summary>Each case of the matrix, also run by the browser verifier's tests (Browser/BrowserExportTests).</summary>
    internal static async Task Tamper(AuditedLedger ledger, string tampering, string tenant)
    {
        switch (tampering)
        {
            case "one event's data edited":
                await ledger.TamperAsync("UPDATE events SET data = jsonb_set(data, '{value}', '\"forged\"') WHERE tenant_id = $1 AND chain_seq = 4", tenant);
                break;
            case "an event deleted":
                await ledger.TamperAsync("DELETE FROM events WHERE tenant_id = $1 AND chain_seq = 6", tenant);
                break;
            case "two events swapped":
                await ledger.TamperAsync("UPDATE events SET chain_seq = 1000 WHERE tenant_id = $1 AND chain_seq = 3", tenant);
                await ledger.TamperAsync("UPDATE events SET chain_seq = 3 WHERE tenant_id = $1 AND chain_seq = 8", tenant);
                await ledger.TamperAsync("UPDATE events SET chain_seq = 8 WHERE tenant_id = $1 AND chain_seq = 1000", tenant);
                break;
            case "the tail truncated below a signed checkpoint, head row rewritten":
                var hash8 = await ledger.StoredChainHashAsync(tenant, 8);
                await ledger.TamperAsync("DELETE FROM events WHERE tenant_id = $1 AND chain_seq > 8", tenant);
                await ledger.TamperAsync("UPDATE chain_heads SET chain_seq = 8, chain_hash = $2 WHERE tenant_id = $1", tenant, hash8);
                break;
            case "a checkpoint re-signed with a key not in the JWKS":
                using (var foreign = CheckpointKey.Generate())
                    await ReplaceCheckpoint(ledger, tenant, 10, c => SignedCheckpoint.Sign(c, foreign).Jws);
                break;
            case "a checkpoint re-signed with a foreign key under the real key id":
                using (var foreign = CheckpointKey.Generate())
                    await ReplaceCheckpoint(ledger, tenant, 10, c => SignAs(foreign, ledger.Key.Kid, c.Payload()));
                break;
            case "a checkpoint re-signed by the real key over another tree root":
                // The chain hash is right; only the Merkle root differs: a key holder's lie about the tree is caught too.
                var real = (await ledger.Checkpoints.AtAsync(tenant, 10))!.Checkpoint;
                real.TreeRoot.ShouldNotBeNull("the signer signs format 2");
                var lie = SignedCheckpoint.Sign(real with { TreeRoot = System.Security.Cryptography.SHA256.HashData("another tree"u8) }, ledger.Key).Jws;
                await ledger.TamperAsync("UPDATE checkpoints SET jws = $3 WHERE tenant_id = $1 AND chain_seq = $2", tenant, 10L, lie);
                break;
            case "an entry rewritten with every later hash and the head recomputed":
                await ledger.RewriteFromAsync(tenant, 3);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(tampering), tampering);
        }
    }

    // The forger signs a checkpoint of their own (here claiming a different head) and stores it in place of the real one.
    private static async Task ReplaceCheckpoint(AuditedLedger ledger, string tenant, long position, Func<Checkpoint, string> sign)
    {
        var real = (await ledger.Checkpoints.AtAsync(tenant, position))!.Checkpoint;
        var forged = real with { ChainHash = System.Security.Cryptography.SHA256.HashData("forged"u8) };
        await ledger.TamperAsync("UPDATE checkpoints SET jws = $3 WHERE tenant_id = $1 AND chain_seq = $2", tenant, position, sign(forged));
    }

    private static string SignAs(CheckpointKey key, string kid, byte[] payload)
    {
        var header = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($$"""{"alg":"ES256","kid":"{{kid}}","typ":"{{Es256Jws.CheckpointType}}"}"""));
        var body = Base64Url.EncodeToString(payload);
        return $"{header}.{body}.{Base64Url.EncodeToString(key.Sign(Encoding.ASCII.GetBytes(header + "." + body)))}";
    }
}

using System.Net;
using System.Text.Json;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Export;

namespace Ledger.EndToEnd.Tests.Auditing;

/// <summary>
/// The tamper matrix through the Host: the verify endpoint (page by page) names the exact position and reason, and so
/// does <c>ledger verify-export</c> (its own process, no database, the auditor's key set) on an export the auditor
/// downloaded over HTTP after the tampering, and so does the Python verifier.
/// </summary>
public sealed class AuditorTamperTests(AuditorAppFixture app) : IClassFixture<AuditorAppFixture>
{
    [Theory]
    [InlineData("data", 4, "hash_mismatch")]
    [InlineData("delete", 6, "gap")]
    [InlineData("swap", 3, "broken_link")]
    [InlineData("truncate", 9, "missing_tail")]
    [InlineData("resign", 10, "bad_signature")]
    public async Task The_api_and_the_offline_verifiers_name_the_same_position_and_reason(string tampering, long position, string reason)
    {
        var tenant = await app.TenantWithCheckpointsAsync();
        var jwks = app.NewPath("keys.json");
        await File.WriteAllBytesAsync(jwks, await app.Client().GetByteArrayAsync("/api/ledger/jwks"));
        await Tamper(tampering, tenant);
        var auditor = app.Auditor(tenant);

        var page = await AuditorApiTests.Json(auditor, "/api/ledger/verify");
        while (page.GetProperty("status").GetString() == "in_progress")
            page = await AuditorApiTests.Json(auditor, "/api/ledger/verify?cursor=" + page.GetProperty("next_cursor").GetString());
        page.GetProperty("status").GetString().ShouldBe("failed");
        var failure = page.GetProperty("failure");
        (failure.GetProperty("position").GetInt64(), failure.GetProperty("reason").GetString()).ShouldBe((position, reason), failure.ToString());

        var archive = app.NewPath("export.zip");
        using (var response = await auditor.GetAsync("/api/ledger/export"))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            await File.WriteAllBytesAsync(archive, await response.Content.ReadAsByteArrayAsync());
        }
        var (exitCode, stdout, stderr) = await app.LedgerAsync("verify-export", archive, "--jwks", jwks);
        exitCode.ShouldBe(1, stdout + stderr);
        stdout.ShouldContain($"FAIL {reason} at {position}:");
        stdout.Split('\n').Count(l => l.StartsWith("FAIL ", StringComparison.Ordinal)).ShouldBe(1, stdout);

        if (await PythonVerifier.RunAsync(archive, "--jwks", jwks) is { } python)
        {
            python.ExitCode.ShouldBe(1, python.Output + python.Error);
            python.Output.ShouldContain($"FAIL {reason} at {position}:");
        }
    }

    [Theory]
    [InlineData("truncate", 9, "missing_tail")]
    [InlineData("resign", 10, "bad_signature")]
    [InlineData("rewrite", 5, "checkpoint_mismatch")]
    public async Task Ledger_verify_runs_the_api_walk_and_names_the_same_position_and_reason(string tampering, long position, string reason)
    {
        var tenant = await app.TenantWithCheckpointsAsync();
        var jwks = app.NewPath("keys.json");
        await File.WriteAllBytesAsync(jwks, await app.Client().GetByteArrayAsync("/api/ledger/jwks"));
        await Tamper(tampering, tenant);

        var failure = (await VerifyThroughApiAsync(tenant)).GetProperty("failure");
        (failure.GetProperty("position").GetInt64(), failure.GetProperty("reason").GetString()).ShouldBe((position, reason), failure.ToString());

        foreach (var trusting in new[] { new[] { "--jwks", jwks }, [] })
        {
            var (exitCode, stdout, stderr) = await app.LedgerAsync(["verify", "--tenant", tenant, .. trusting]);
            exitCode.ShouldBe(1, stdout + stderr);
            stdout.ShouldContain($"FAIL {reason} at {position}: {failure.GetProperty("detail").GetString()}");
            stdout.ShouldNotContain("OK ");
        }
    }

    [Fact]
    public async Task Ledger_verify_holds_the_chain_to_the_checkpoints_the_auditor_kept_when_the_database_lost_them()
    {
        var tenant = await app.TenantWithCheckpointsAsync();
        var held = app.NewPath("held.jws");
        var latest = await AuditorApiTests.Json(app.Auditor(tenant), "/api/ledger/checkpoints/latest");
        await File.WriteAllTextAsync(held, latest.GetProperty("jws").GetString() + "\n");
        var hash8 = (await new Ledger.EventStore.Chain.ChainEntryReader(app.Db.AdminDataSource).ChainHashAtAsync(tenant, 8))!;
        await app.TamperAsync("DELETE FROM events WHERE tenant_id = $1 AND chain_seq > 8", tenant);
        await app.TamperAsync("DELETE FROM checkpoints WHERE tenant_id = $1 AND chain_seq > 8", tenant);
        await app.TamperAsync("UPDATE chain_heads SET chain_seq = 8, chain_hash = $2 WHERE tenant_id = $1", tenant, hash8);

        var trusting = await app.LedgerAsync("verify", "--tenant", tenant);
        trusting.ExitCode.ShouldBe(0, "nothing left in the database says the chain was longer: " + trusting.Stdout);

        var (exitCode, stdout, stderr) = await app.LedgerAsync("verify", "--tenant", tenant, "--checkpoint", held);
        exitCode.ShouldBe(1, stdout + stderr);
        stdout.ShouldContain("FAIL missing_tail at 9: entries end at 8, but the checkpoint at 10");

        (await app.LedgerAsync("verify", "--tenant", tenant, "--checkpoint", app.NewPath("missing.jws"))).ExitCode.ShouldBe(2);

        // The export the auditor downloads now claims the whole log (to = head = 8): the held checkpoint at 10 says otherwise.
        var archive = app.NewPath("export.zip");
        await File.WriteAllBytesAsync(archive, await app.Auditor(tenant).GetByteArrayAsync("/api/ledger/export"));
        (await app.LedgerAsync("verify-export", archive)).ExitCode.ShouldBe(0, "the export alone cannot tell");
        var offline = await app.LedgerAsync("verify-export", archive, "--checkpoints", held);
        offline.ExitCode.ShouldBe(1, offline.Stdout + offline.Stderr);
        offline.Stdout.ShouldContain($"export of tenant {tenant}, positions 1..8 (the whole log: head 8)");
        offline.Stdout.ShouldContain("FAIL missing_tail at 9: entries end at 8, but the checkpoint at 10");
        if (await PythonVerifier.RunAsync(archive, "--checkpoints", held) is { } python)
        {
            python.ExitCode.ShouldBe(1, python.Output + python.Error);
            python.Output.ShouldContain($"export of tenant {tenant}, positions 1..8 (the whole log: head 8)");
            python.Output.ShouldContain("FAIL missing_tail at 9: entries end at 8, but the checkpoint at 10");
        }
    }

    private async Task<System.Text.Json.JsonElement> VerifyThroughApiAsync(string tenant)
    {
        var auditor = app.Auditor(tenant);
        var page = await AuditorApiTests.Json(auditor, "/api/ledger/verify");
        while (page.GetProperty("status").GetString() == "in_progress")
            page = await AuditorApiTests.Json(auditor, "/api/ledger/verify?cursor=" + page.GetProperty("next_cursor").GetString());
        return page;
    }

    [Fact]
    public async Task Ledger_export_writes_an_archive_that_verify_export_accepts_and_rejects_once_a_file_is_edited()
    {
        var tenant = await app.TenantWithCheckpointsAsync();
        var jwks = app.NewPath("keys.json");
        await File.WriteAllBytesAsync(jwks, await app.Client().GetByteArrayAsync("/api/ledger/jwks"));
        var folder = app.NewPath("export");

        var export = await app.LedgerAsync("export", "--tenant", tenant, folder);
        export.ExitCode.ShouldBe(0, export.Stderr);
        export.Stdout.ShouldContain($"exported tenant {tenant}, positions 1..10: 10 entries, 2 checkpoints");
        export.Stderr.ShouldContain("export: position 10/10, 10 entries"); // progress goes to standard error, never to the result

        var accepted = await app.LedgerAsync("verify-export", folder, "--jwks", jwks);
        accepted.ExitCode.ShouldBe(0, accepted.Stdout + accepted.Stderr);
        accepted.Stdout.ShouldContain("OK verified 1..10: 10 entries, 2 of 2 checkpoints reached");

        var entries = Path.Combine(folder, ExportFiles.Entries);
        var lines = await File.ReadAllLinesAsync(entries);
        lines[1] = lines[1].Replace("\"actor\":\"test-actor\"", "\"actor\":\"someone-else\"", StringComparison.Ordinal);
        await File.WriteAllLinesAsync(entries, lines);

        var rejected = await app.LedgerAsync("verify-export", folder, "--jwks", jwks);
        rejected.ExitCode.ShouldBe(1);
        rejected.Stdout.ShouldContain("FAIL file_hash_mismatch file entries.ndjson:");
        rejected.Stdout.ShouldContain("FAIL hash_mismatch at 2:");

        (await app.LedgerAsync("verify-export", app.NewPath("missing.zip"))).ExitCode.ShouldBe(2);
        (await app.LedgerAsync("export", "--tenant", tenant, folder)).ExitCode.ShouldBe(2, "the folder is not empty");
    }

    private async Task Tamper(string tampering, string tenant)
    {
        switch (tampering)
        {
            case "data":
                await app.TamperAsync("UPDATE events SET data = jsonb_set(data, '{value}', '\"forged\"') WHERE tenant_id = $1 AND chain_seq = 4", tenant);
                break;
            case "delete":
                await app.TamperAsync("DELETE FROM events WHERE tenant_id = $1 AND chain_seq = 6", tenant);
                break;
            case "swap":
                await app.TamperAsync("UPDATE events SET chain_seq = 1000 WHERE tenant_id = $1 AND chain_seq = 3", tenant);
                await app.TamperAsync("UPDATE events SET chain_seq = 3 WHERE tenant_id = $1 AND chain_seq = 8", tenant);
                await app.TamperAsync("UPDATE events SET chain_seq = 8 WHERE tenant_id = $1 AND chain_seq = 1000", tenant);
                break;
            case "truncate":
                await app.TamperAsync("""
                    UPDATE chain_heads SET chain_seq = 8, chain_hash = (SELECT chain_hash FROM events WHERE tenant_id = $1 AND chain_seq = 8)
                     WHERE tenant_id = $1
                    """, tenant);
                await app.TamperAsync("DELETE FROM events WHERE tenant_id = $1 AND chain_seq > 8", tenant);
                break;
            case "resign":
                var real = (await app.Service<CheckpointStore>().AtAsync(tenant, 10))!.Checkpoint;
                using (var foreign = CheckpointKey.Generate())
                    await app.TamperAsync("UPDATE checkpoints SET jws = $3 WHERE tenant_id = $1 AND chain_seq = $2", tenant, 10L,
                        SignedCheckpoint.Sign(real with { ChainHash = new byte[32] }, foreign).Jws);
                break;
            case "rewrite":
                await app.RewriteFromAsync(tenant, 3);
                break;
        }
    }
}

using Ledger.EndToEnd.Tests.Auditing;
using Ledger.EventStore.Chain;
using Npgsql;

namespace Ledger.EndToEnd.Tests.Backup;

/// <summary>
/// Backups and the restore drill against the real server (issue 16): <c>ledger backup</c> takes a base backup of the
/// cluster, and <c>ledger restore-drill --at</c> restores it to a scratch server at a moment between two known commits
/// — the first is there, the second is not — and verifies the restored chains against the checkpoints and the
/// signer's own record, and the read models against their events. A signer's record that the restored chain
/// contradicts is a finding. The cluster must archive WAL (scripts/pg.sh configures it).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RestoreDrillTests(AuditorAppFixture app, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<AuditorAppFixture>
{
    [Fact]
    public async Task A_point_in_time_restore_between_two_commits_holds_the_first_and_not_the_second_and_verifies()
    {
        await RequireArchivingAsync();
        // The local cluster archives WAL once a backup enabled it; a test leaves it as it found it.
        var enabled = Path.Combine(WalArchive, "ENABLED");
        var wasArchiving = File.Exists(enabled);
        try
        {
            await DrillAsync();
        }
        finally
        {
            if (!wasArchiving) File.Delete(enabled);
        }
    }

    private async Task DrillAsync()
    {
        var tenant = await app.TenantWithCheckpointsAsync();
        var settings = Settings();

        var backup = await app.LedgerAsync(settings, "backup");
        backup.ExitCode.ShouldBe(0, backup.Stdout + backup.Stderr);
        backup.Stdout.ShouldContain("WAL archiving on");

        await app.AppendAsync(tenant, 3);
        var between = await ServerNowAsync();
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await app.AppendAsync(tenant, 4);

        var drill = await app.LedgerAsync(settings, "restore-drill", "--at", LedgerRecord.FormatTimestamp(between));
        output.WriteLine(drill.Stdout);
        drill.ExitCode.ShouldBe(0, drill.Stdout + drill.Stderr);
        drill.Stdout.ShouldContain($"tenant {tenant}: 13 entries verified, 2 checkpoints reached");
        drill.Stdout.ShouldContain("recovery point: newest restored event");
        drill.Stdout.ShouldContain("OK the restore verified");

        var whole = await app.LedgerAsync(settings, "restore-drill");
        whole.ExitCode.ShouldBe(0, whole.Stdout + whole.Stderr);
        whole.Stdout.ShouldContain($"tenant {tenant}: 17 entries verified");

        // A signer's record (kept outside the database) that the restored chain contradicts is a finding.
        var record = app.NewPath("signed.jsonl");
        await File.WriteAllTextAsync(record, $"{{\"tenant_id\":\"{tenant}\",\"chain_seq\":3,\"chain_hash\":\"{new string('a', 64)}\"}}\n");
        var contradicted = await app.LedgerAsync(new Dictionary<string, string>(settings) { ["Ledger__Checkpoints__SignedHeadsPath"] = record },
            "restore-drill", "--at", LedgerRecord.FormatTimestamp(between));
        contradicted.ExitCode.ShouldBe(1, contradicted.Stdout + contradicted.Stderr);
        contradicted.Stdout.ShouldContain($"FAIL tenant {tenant}: the signer signed chain hash {new string('a', 64)} at 3");

        var tooEarly = await app.LedgerAsync(settings, "restore-drill", "--at", "2000-01-01T00:00:00Z");
        tooEarly.ExitCode.ShouldBe(2, tooEarly.Stdout + tooEarly.Stderr);
        tooEarly.Stderr.ShouldContain("no base backup finished before");
    }

    private Dictionary<string, string> Settings() => new()
    {
        ["Ledger__Backup__Directory"] = app.NewPath("backups"),
        ["Ledger__Backup__WalArchive"] = WalArchive,
    };

    private static string WalArchive => Environment.GetEnvironmentVariable("LEDGER_PG_WAL_ARCHIVE") is { Length: > 0 } configured
        ? configured
        : Path.Combine(RepoRoot(), ".run", "pg", "wal-archive");

    private async Task RequireArchivingAsync()
    {
        await using var connection = new NpgsqlConnection(app.Db.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_setting('archive_mode')", connection);
        ((string)(await command.ExecuteScalarAsync())!).ShouldBe("on",
            "the test cluster must archive WAL (scripts/pg.sh configures it; a cluster made before: make services-down && make services-up)");
        Directory.Exists(WalArchive).ShouldBeTrue($"the WAL archive {WalArchive}");
    }

    private async Task<DateTimeOffset> ServerNowAsync()
    {
        await using var connection = new NpgsqlConnection(app.Db.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT clock_timestamp()", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return reader.GetFieldValue<DateTimeOffset>(0);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ledger.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("repository root not found");
    }
}

using System.Globalization;
using System.Text.Json;
using Ledger.EventStore.Chain;
using Npgsql;

namespace Ledger.Host.Backup;

/// <summary>What <c>ledger-backup.json</c> says about one base backup.</summary>
public sealed record BackupManifest(string Folder, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, bool WalArchiving, string ServerVersion)
{
    public const string FileName = "ledger-backup.json";

    public void Write()
    {
        var json = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["started_at"] = LedgerRecord.FormatTimestamp(StartedAt),
            ["finished_at"] = LedgerRecord.FormatTimestamp(FinishedAt),
            ["wal_archiving"] = WalArchiving,
            ["server_version"] = ServerVersion,
        });
        File.WriteAllText(Path.Combine(Folder, FileName), json + "\n");
    }

    public static BackupManifest? Read(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return null; // a backup cut short: never restored
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        return new BackupManifest(folder,
            LedgerKeyTimes.Parse(root.GetProperty("started_at").GetString()!), LedgerKeyTimes.Parse(root.GetProperty("finished_at").GetString()!),
            root.GetProperty("wal_archiving").GetBoolean(), root.GetProperty("server_version").GetString()!);
    }
}

internal static class LedgerKeyTimes
{
    public static DateTimeOffset Parse(string text) => EventStore.Checkpoints.LedgerKeySet.ParseTimestamp(text, "a backup time");
}

/// <summary>
/// <c>ledger backup</c>: a base backup of the whole PostgreSQL cluster with <c>pg_basebackup</c> (plain format, its WAL
/// streamed in, so it restores on its own), into <c>{Directory}/base/&lt;UTC time&gt;</c>; with the WAL archive beside it,
/// a restore can stop at any moment after it. The manifest is written last: a folder without one was cut short.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class BaseBackup(BackupOptions options, PostgresTools tools, TimeProvider clock)
{
    public async Task<BackupManifest> TakeAsync(string adminConnectionString, TextWriter log, CancellationToken ct)
    {
        var directory = options.Directory ?? throw new BackupException($"{BackupOptions.Section}:Directory is not configured.");
        var admin = new NpgsqlConnectionStringBuilder(adminConnectionString);
        var (archiving, version) = await ServerAsync(admin.ConnectionString, ct);
        if (!archiving)
            log.WriteLine("backup: WAL archiving is off (archive_mode): this backup restores to its own end only, not to a later point in time");
        if (options.WalArchive is { } archive && System.IO.Directory.Exists(archive))
            await File.WriteAllTextAsync(Path.Combine(archive, "ENABLED"), "", ct); // the dev cluster archives once a backup exists

        var startedAt = clock.GetUtcNow();
        var folder = Path.Combine(directory, "base", startedAt.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture));
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(folder)!);
        var environment = new Dictionary<string, string>();
        if (!string.IsNullOrEmpty(admin.Password)) environment["PGPASSWORD"] = admin.Password;
        var (code, output) = await tools.RunAsync("pg_basebackup",
            ["-h", admin.Host ?? "127.0.0.1", "-p", admin.Port.ToString(CultureInfo.InvariantCulture), "-U", admin.Username ?? "postgres",
             "-D", folder, "-Fp", "-X", "stream", "-c", "fast", "--no-password", "-l", "ledger " + Path.GetFileName(folder)],
            environment: environment, ct: ct);
        if (code != 0) throw new BackupException($"pg_basebackup failed ({code}): {output}");
        await SwitchWalAsync(admin.ConnectionString, ct);
        var manifest = new BackupManifest(folder, startedAt, clock.GetUtcNow(), archiving, version);
        manifest.Write();
        return manifest;
    }

    /// <summary>Closes the current WAL segment, so the archive holds everything committed until now.</summary>
    public static async Task SwitchWalAsync(string adminConnectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT pg_switch_wal()", connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<(bool Archiving, string Version)> ServerAsync(string adminConnectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT current_setting('archive_mode'), current_setting('server_version')", connection);
        await using var r = await command.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return (r.GetString(0) is "on" or "always", r.GetString(1));
    }
}

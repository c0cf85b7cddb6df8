using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Ledger.Host.Backup;

/// <summary>
/// A base backup restored into a folder of its own and started as a throwaway PostgreSQL server on a free loopback
/// port, replaying the archived WAL up to the target time (or to the archive's end) and then promoted. Stopped and
/// deleted on disposal unless kept.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class ScratchCluster : IAsyncDisposable
{
    private readonly PostgresTools tools;
    private readonly string folder;
    private readonly bool keep;
    private bool started;

    private ScratchCluster(PostgresTools tools, string folder, int port, bool keep)
    {
        this.tools = tools;
        this.folder = folder;
        Port = port;
        this.keep = keep;
    }

    public int Port { get; }

    public string Data => Path.Combine(folder, "data");

    public string Log => Path.Combine(folder, "postgres.log");

    public static async Task<ScratchCluster> RestoreAsync(
        PostgresTools tools, BackupManifest backup, string drills, string? walArchive, DateTimeOffset? target, bool keep, CancellationToken ct)
    {
        var folder = Path.Combine(drills, DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        var cluster = new ScratchCluster(tools, folder, FreePort(), keep);
        try
        {
            var (code, output) = await tools.RunAsync("cp", ["-a", backup.Folder, cluster.Data], ct: ct);
            if (code != 0) throw new BackupException($"copying the backup failed: {output}");
            foreach (var stale in new[] { "postmaster.pid", "postmaster.opts", BackupManifest.FileName })
                File.Delete(Path.Combine(cluster.Data, stale));
            File.SetUnixFileMode(cluster.Data, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            await File.AppendAllTextAsync(Path.Combine(cluster.Data, "postgresql.auto.conf"), cluster.RecoverySettings(walArchive, target), ct);
            await File.WriteAllTextAsync(Path.Combine(cluster.Data, "recovery.signal"), "", ct);
            await tools.HandOverAsync(folder, ct);
            await cluster.StartAsync(ct);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    // Appended last, so they win over the backed-up server's own settings (its port, socket, archiving).
    private string RecoverySettings(string? walArchive, DateTimeOffset? target)
    {
        var lines = new List<string>
        {
            "",
            "# ledger restore-drill",
            "listen_addresses = '127.0.0.1'",
            string.Create(CultureInfo.InvariantCulture, $"port = {Port}"),
            "unix_socket_directories = ''", // TCP only: a socket path under a deep folder can exceed the 107-byte limit
            "archive_mode = off",
            "logging_collector = off",
            "recovery_target_action = 'promote'",
        };
        if (walArchive is not null) lines.Add($"restore_command = 'cp \"{walArchive}/%f\" \"%p\"'");
        if (target is { } at)
            lines.Add($"recovery_target_time = '{at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)}+00'");
        return string.Join('\n', lines) + "\n";
    }

    private async Task StartAsync(CancellationToken ct)
    {
        var (code, output) = await tools.RunAsync("pg_ctl", ["-D", Data, "-l", Log, "-w", "-t", "300", "start"], asServer: true, ct: ct);
        started = true;
        if (code != 0) throw new BackupException($"the restored server did not start: {output}\n{Tail()}");
    }

    /// <summary>Waits until recovery is over and the server promoted (it then takes writes, as after a real restore).</summary>
    public async Task WaitPromotedAsync(string connectionString, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(ct);
                await using var command = new NpgsqlCommand("SELECT pg_is_in_recovery()", connection);
                if (!(bool)(await command.ExecuteScalarAsync(ct))!) return;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline)
            {
            }
            if (DateTime.UtcNow > deadline) throw new BackupException($"the restored server was still recovering after {timeout}:\n{Tail()}");
            await Task.Delay(200, ct);
        }
    }

    public string Tail() => File.Exists(Log) ? string.Join('\n', File.ReadLines(Log).TakeLast(15)) : "";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (started) await tools.RunAsync("pg_ctl", ["-D", Data, "-m", "immediate", "-w", "-t", "60", "stop"], asServer: true);
        if (!keep && Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }
}

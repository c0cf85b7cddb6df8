using System.CommandLine;
using System.Globalization;
using Ledger.Host.Auditing;
using Ledger.Host.Backup;
using Ledger.Host.Configuration;
using Npgsql;

namespace Ledger.Host.Cli;

/// <summary>
/// <c>ledger backup</c> (a base backup of the cluster, beside the WAL archive) and <c>ledger restore-drill [--at time]
/// [--keep]</c> (restores it to a scratch server at that time and verifies what came back; exit 0 verified, 1 a finding,
/// 2 the drill could not run). Both need <c>Ledger:Backup:Directory</c>, and the owner's connection
/// (<c>ConnectionStrings:LedgerAdmin</c>).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal static class BackupCommand
{
    public static IEnumerable<Command> Create() => [Backup(), Drill()];

    private static Command Backup()
    {
        var command = new Command("backup", "Take a base backup of the PostgreSQL cluster (pg_basebackup) into Ledger:Backup:Directory.");
        command.SetAction(async (parse, ct) =>
        {
            var (output, error) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            try
            {
                var (options, admin, _) = Settings();
                var manifest = await new BaseBackup(options, new PostgresTools(options), TimeProvider.System).TakeAsync(admin, error, ct);
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"backup {manifest.Folder}: {(manifest.FinishedAt - manifest.StartedAt).TotalSeconds:F1} s, PostgreSQL {manifest.ServerVersion}, WAL archiving {(manifest.WalArchiving ? "on" : "off")}"));
                return 0;
            }
            catch (Exception e) when (e is BackupException or NpgsqlException or InvalidOperationException)
            {
                await error.WriteLineAsync($"backup: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    private static Command Drill()
    {
        var at = new Option<string?>("--at") { Description = "Restore to this moment, e.g. 2026-12-05T10:30:00Z (default: everything archived)." };
        var keep = new Option<bool>("--keep") { Description = "Leave the scratch server's folder behind (it is stopped either way)." };
        var command = new Command("restore-drill", "Restore the latest backup to a scratch server at a point in time, and verify chains, checkpoints and read models.") { at, keep };
        command.SetAction(async (parse, ct) =>
        {
            var (output, error) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            DateTimeOffset? target = null;
            if (parse.GetValue(at) is { } text)
            {
                if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
                {
                    await error.WriteLineAsync($"restore-drill: --at {text} is not a time like 2026-12-05T10:30:00Z");
                    return 2;
                }
                target = parsed;
            }
            try
            {
                var (options, admin, configuration) = Settings();
                var checkpoints = configuration.GetSection(CheckpointOptions.Section).Get<CheckpointOptions>() ?? new();
                var witnesses = configuration.GetSection("Ledger:Witnesses:Directory").Value is { Length: > 0 } w
                    ? LedgerDataDirectory.ResolvePath(configuration, w) : null;
                var drill = new RestoreDrill(options, new PostgresTools(options), LedgerConfiguration.Database(configuration).Schema,
                    CheckpointKeyProvider.SignedHeadsPath(checkpoints, configuration), witnesses);
                var report = await drill.RunAsync(admin, target, parse.GetValue(keep), ct);
                foreach (var line in report.Lines) await output.WriteLineAsync(line);
                await output.WriteLineAsync(report.Verified ? "OK the restore verified" : $"FAILED {report.Failures} finding(s)");
                return report.Verified ? 0 : 1;
            }
            catch (Exception e) when (e is BackupException or NpgsqlException or InvalidOperationException or InvalidDataException)
            {
                await error.WriteLineAsync($"restore-drill: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    private static (BackupOptions Options, string Admin, IConfiguration Configuration) Settings()
    {
        var configuration = LedgerConfiguration.ForCli(LedgerConfiguration.CliEnvironmentName());
        var options = configuration.GetSection(BackupOptions.Section).Get<BackupOptions>() ?? new();
        if (options.Directory is { } directory) options.Directory = LedgerDataDirectory.ResolvePath(configuration, directory);
        if (options.WalArchive is { } archive) options.WalArchive = Path.GetFullPath(archive);
        var admin = configuration.GetConnectionString(LedgerDataSources.AdminConnectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{LedgerDataSources.AdminConnectionName} is not configured.");
        return (options, admin, configuration);
    }
}

namespace Ledger.Host.Backup;

/// <summary>
/// <c>Ledger:Backup</c>: where <c>ledger backup</c> puts base backups (<c>{Directory}/base/&lt;time&gt;</c>) and where
/// PostgreSQL's <c>archive_command</c> copies the WAL (<see cref="WalArchive"/>), which <c>ledger restore-drill</c> replays
/// to a point in time. The local cluster of scripts/pg.sh archives to <c>.run/pg/wal-archive</c>.
/// </summary>
public sealed class BackupOptions
{
    public const string Section = "Ledger:Backup";

    public string? Directory { get; set; }

    public string? WalArchive { get; set; }

    /// <summary>Where the server binaries are (pg_ctl, pg_basebackup); by default PATH, then /usr/lib/postgresql/*/bin.</summary>
    public string? ServerBinaries { get; set; }

    /// <summary>The OS user that owns a restored cluster when the drill runs as root (PostgreSQL refuses to run as root).</summary>
    public string ServerUser { get; set; } = "postgres";
}

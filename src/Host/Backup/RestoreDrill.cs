using System.Diagnostics;
using System.Globalization;
using Ledger.EventStore.Chain;
using Ledger.EventStore.Checkpoints;
using Npgsql;

namespace Ledger.Host.Backup;

/// <summary>What a drill found: one line per finding, and whether everything verified.</summary>
public sealed record DrillReport(IReadOnlyList<string> Lines, int Failures)
{
    public bool Verified => Failures == 0;
}

/// <summary>
/// <c>ledger restore-drill</c>: proves the backups restore. It restores the newest base backup taken before the target
/// time into a scratch server, replays the WAL archive to that time, and then checks the restored database as an
/// auditor would: every tenant's chain walked entry by entry with its signed checkpoints; the chain agreeing with
/// every head the signer recorded outside the database (its record beside its key) and every checkpoint a witness
/// directory holds that was signed by then; every read model agreeing with the events it has applied. It reports the
/// recovery point achieved (the newest restored event against the target), the time to restore, and the entries verified.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class RestoreDrill(BackupOptions options, PostgresTools tools, string schema, string? signedHeadsPath, string? witnessDirectory)
{
    public async Task<DrillReport> RunAsync(string adminConnectionString, DateTimeOffset? target, bool keep, CancellationToken ct)
    {
        var directory = options.Directory ?? throw new BackupException($"{BackupOptions.Section}:Directory is not configured.");
        var lines = new List<string>();
        var failures = 0;
        void Fail(string line)
        {
            lines.Add("FAIL " + line);
            failures++;
        }

        var clock = Stopwatch.StartNew();
        try
        {
            await BaseBackup.SwitchWalAsync(adminConnectionString, ct); // the archive then holds everything committed so far
        }
        catch (NpgsqlException e)
        {
            lines.Add($"note: the source server could not close its WAL segment ({e.Message}); the archive may end earlier");
        }
        var backup = Choose(directory, target);
        lines.Add($"backup: {backup.Folder} (taken {LedgerRecord.FormatTimestamp(backup.StartedAt)}–{LedgerRecord.FormatTimestamp(backup.FinishedAt)})");
        var archive = options.WalArchive is { } wal && Directory.Exists(wal) ? wal : null;
        if (archive is null && target is not null)
            throw new BackupException($"a point-in-time restore needs the WAL archive ({BackupOptions.Section}:WalArchive)");

        await using var cluster = await ScratchCluster.RestoreAsync(tools, backup, Path.Combine(directory, "drills"), archive, target, keep, ct);
        var restored = new NpgsqlConnectionStringBuilder(adminConnectionString) { Host = "127.0.0.1", Port = cluster.Port, SearchPath = schema, Pooling = false };
        await cluster.WaitPromotedAsync(restored.ConnectionString, TimeSpan.FromMinutes(5), ct);
        var restoreTime = clock.Elapsed;
        lines.Add(string.Create(CultureInfo.InvariantCulture, $"restored to 127.0.0.1:{cluster.Port} in {restoreTime.TotalSeconds:F1} s"));

        await using var dataSource = NpgsqlDataSource.Create(restored.ConnectionString);
        var newest = await NewestEventAsync(dataSource, ct);
        var reference = target ?? DateTimeOffset.UtcNow;
        lines.Add(newest is { } at
            ? string.Create(CultureInfo.InvariantCulture,
                $"recovery point: newest restored event {LedgerRecord.FormatTimestamp(at)}, {(reference - at).TotalSeconds:F1} s before {(target is null ? "now" : "the target")} {LedgerRecord.FormatTimestamp(reference)}")
            : "recovery point: the restored schema holds no event");

        var entries = 0L;
        var held = HeldCheckpoints(target ?? DateTimeOffset.MaxValue);
        // The signer's record outside the database (docs/ledger-format.md §8), read as the signer reads it.
        var heads = signedHeadsPath is not null && File.Exists(signedHeadsPath) ? SignedHeads.Open(signedHeadsPath) : null;
        var verifier = new SignedChainVerifier(dataSource, new SigningKeyHistory(dataSource), new CheckpointStore(dataSource), pageSize: 5000);
        var reader = new ChainEntryReader(dataSource);
        foreach (var tenant in await reader.TenantsAsync(ct))
        {
            var evidence = new AuditorEvidence(null, held.GetValueOrDefault(tenant, []));
            var step = await verifier.StepAsync(tenant, 1, null, null, 50_000, evidence, ct);
            while (step.Status == VerificationStatus.InProgress)
                step = await verifier.StepAsync(tenant, 1, null, step.Cursor, 50_000, evidence, ct);
            entries += step.EntriesChecked;
            if (step.Failure is { } failure)
                Fail($"tenant {tenant}: {failure.Reason.Code()} at {failure.Position}: {failure.Detail}");
            else
                lines.Add($"tenant {tenant}: {step.EntriesChecked} entries verified, {step.CheckpointsReached} checkpoints reached"
                    + $" ({evidence.HeldCheckpoints.Count} witnessed), head {Convert.ToHexStringLower(step.LastChainHash)}");

            var (head, _) = await reader.HeadAsync(tenant, ct);
            foreach (var (_, seq, hash) in heads?.For(tenant).Where(h => h.ChainSeq <= head) ?? [])
            {
                var stored = await reader.ChainHashAtAsync(tenant, seq, ct);
                if (stored is null || !stored.AsSpan().SequenceEqual(hash))
                    Fail($"tenant {tenant}: the signer signed chain hash {Convert.ToHexStringLower(hash)} at {seq}; the restored chain has {(stored is null ? "nothing" : Convert.ToHexStringLower(stored))}");
            }
        }
        lines.Add($"entries verified: {entries}");

        foreach (var (line, agrees) in await ReadModelReconciliation.RunAsync(dataSource, ct))
            if (agrees) lines.Add(line);
            else Fail(line);
        lines.Add(string.Create(CultureInfo.InvariantCulture, $"drill took {clock.Elapsed.TotalSeconds:F1} s"));
        return new DrillReport(lines, failures);
    }

    private static BackupManifest Choose(string directory, DateTimeOffset? target)
    {
        var folder = Path.Combine(directory, "base");
        var backups = Directory.Exists(folder)
            ? Directory.GetDirectories(folder).Select(BackupManifest.Read).OfType<BackupManifest>().OrderByDescending(b => b.FinishedAt).ToList()
            : [];
        if (backups.Count == 0) throw new BackupException($"no complete base backup in {folder}: run `ledger backup` first");
        return backups.FirstOrDefault(b => target is null || b.FinishedAt <= target)
            ?? throw new BackupException($"no base backup finished before {LedgerRecord.FormatTimestamp(target!.Value)}; the oldest finished {LedgerRecord.FormatTimestamp(backups[^1].FinishedAt)}");
    }

    // Checkpoints a witness directory holds (<tenant>/<position>.jws), signed at or before the target: the restored
    // chain must reach each with the hash it signed. Later ones were signed after the point restored to.
    private Dictionary<string, List<string>> HeldCheckpoints(DateTimeOffset target)
    {
        var held = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (witnessDirectory is null || !Directory.Exists(witnessDirectory)) return held;
        foreach (var tenantFolder in Directory.GetDirectories(witnessDirectory))
            foreach (var file in Directory.GetFiles(tenantFolder, "*" + EventStore.Witnesses.WitnessFiles.JwsExtension))
            {
                var jws = File.ReadAllText(file).Trim();
                try
                {
                    var claimed = Checkpoint.ParsePayload(Es256Jws.UnverifiedPayload(jws) ?? []);
                    if (claimed.IssuedAt > target) continue;
                }
                catch (FormatException)
                {
                    // unreadable: let the walk report it as a bad signature
                }
                if (!held.TryGetValue(Path.GetFileName(tenantFolder), out var list)) held[Path.GetFileName(tenantFolder)] = list = [];
                list.Add(jws);
            }
        return held;
    }

    private static async Task<DateTimeOffset?> NewestEventAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT max(timestamp) FROM mt_events");
        await using var r = await command.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return r.IsDBNull(0) ? null : r.GetFieldValue<DateTimeOffset>(0);
    }
}

using System.Security.Cryptography;
using Ledger.EventStore.Chain;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Merkle;
using Npgsql;

namespace Ledger.EventStore.Export;

/// <summary>
/// Writes a signed export of a tenant's chain into an empty folder: the entries as stored (NDJSON), the checkpoints
/// covering the range, the key history, and the manifest with its detached ES256 signature. It exports what is stored,
/// tampered or not, and leaves the judging to the verifier. Reads only; signs with the active key.
/// </summary>
public sealed class ExportWriter(
    NpgsqlDataSource dataSource, CheckpointStore checkpoints, SigningKeyHistory history, TimeProvider clock, int pageSize = 1000,
    LedgerTreeReader? trees = null)
{
    private readonly ChainEntryReader reader = new(dataSource);
    private readonly LedgerTreeReader trees = trees ?? new(dataSource);

    /// <summary>The range an export covers: <paramref name="to"/>, or as far as anything claims the chain goes (head row, latest checkpoint).</summary>
    public async Task<long> ResolveEndAsync(string tenantId, long? to, CancellationToken ct = default)
    {
        if (to is { } end) return end;
        var (head, _) = await reader.HeadAsync(tenantId, ct);
        var latest = await checkpoints.LatestAsync(tenantId, ct);
        return Math.Max(head, latest?.Checkpoint.ChainSeq ?? 0);
    }

    /// <exception cref="ExportRefusedException">the key is not the active key of the history, or the entry before the range is not stored.</exception>
    /// <exception cref="IOException">the folder is not empty.</exception>
    public async Task<ExportManifest> WriteAsync(string tenantId, long from, long? to, string directory, CheckpointKey key, CancellationToken ct = default) =>
        await WriteAsync(tenantId, from, to, directory, key, progress: null, ct);

    /// <summary>As above, reporting each page of entries written to <paramref name="progress"/> (the CLI's progress line).</summary>
    public async Task<ExportManifest> WriteAsync(
        string tenantId, long from, long? to, string directory, CheckpointKey key, IProgress<ExportProgress>? progress, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(from, 1);
        ArgumentNullException.ThrowIfNull(key);
        if (await history.ActiveKidAsync(ct) != key.Kid)
            throw new ExportRefusedException(ExportRefusal.KeyNotActive,
                $"The signing key {key.Kid} is not the active key of the key history; a host registers it at start.");
        // The time the export speaks for is taken before the log's end is read: a checkpoint signed before it lies within that end.
        var createdAt = LedgerRecord.TruncateToMicroseconds(clock.GetUtcNow());
        var head = await ResolveEndAsync(tenantId, null, ct);
        var end = to ?? head;
        var firstPrevious = await reader.ChainHashAtAsync(tenantId, from - 1, ct)
            ?? throw new ExportRefusedException(ExportRefusal.RangeStartMissing,
                $"Entry {from - 1}, just before the range, is not stored: the chain is broken there (verify it).");
        var frontier = await FrontierAsync(tenantId, from - 1, ct);
        Directory.CreateDirectory(directory);
        if (Directory.EnumerateFileSystemEntries(directory).Any())
            throw new IOException($"The export folder {directory} is not empty.");

        var digests = new List<ExportFileDigest>();
        var (count, last) = (0L, firstPrevious);
        await using (var entries = Create(directory, ExportFiles.Entries))
        {
            for (var next = from; next <= end;)
            {
                var page = await reader.ReadAsync(tenantId, next, end, pageSize, ct);
                foreach (var entry in page)
                {
                    await entries.WriteAsync(ChainEntryJson.ToLine(entry), ct);
                    entries.WriteByte((byte)'\n');
                    (count, last) = (count + 1, entry.ChainHash);
                }
                if (page.Count > 0) progress?.Report(new ExportProgress(page[^1].ChainSeq, end, count));
                if (page.Count < pageSize) break;
                next = page[^1].ChainSeq + 1;
            }
        }
        digests.Add(Digest(directory, ExportFiles.Entries));

        var checkpointCount = 0;
        await using (var file = Create(directory, ExportFiles.Checkpoints))
        await foreach (var checkpoint in checkpoints.AllInRangeAsync(tenantId, Math.Max(from - 1, 1), end, ct))
        {
            await file.WriteAsync(System.Text.Encoding.ASCII.GetBytes(checkpoint.Jws + "\n"), ct);
            checkpointCount++;
        }
        digests.Add(Digest(directory, ExportFiles.Checkpoints));

        var keys = await history.ReadAsync(ct);
        await File.WriteAllBytesAsync(Path.Combine(directory, ExportFiles.Keys), keys.ToJson(), ct);
        digests.Add(Digest(directory, ExportFiles.Keys));

        // Never before the key's own start, should this host's clock lag the one that registered the key.
        if (keys.Find(key.Kid)?.ValidFrom is { } validFrom && createdAt < validFrom) createdAt = validFrom;
        var manifest = new ExportManifest(tenantId, from, end, count, firstPrevious, last, checkpointCount, createdAt, digests, head, frontier);
        var manifestBytes = manifest.ToJson();
        await File.WriteAllBytesAsync(Path.Combine(directory, ExportFiles.Manifest), manifestBytes, ct);
        await File.WriteAllTextAsync(Path.Combine(directory, ExportFiles.ManifestSignature),
            Es256Jws.Sign(key, Es256Jws.ManifestType, manifestBytes, detached: true) + "\n", ct);
        return manifest;
    }

    // The Merkle frontier of the entries before the range, as stored; a chain broken there has none (the verifier then
    // leaves the tree roots unchecked, and the broken chain is for `ledger verify` to report).
    private async Task<IReadOnlyList<byte[]>?> FrontierAsync(string tenantId, long size, CancellationToken ct)
    {
        try
        {
            return (await trees.TreeAsync(tenantId, size, ct)).Frontier();
        }
        catch (IncompleteTreeException)
        {
            return null;
        }
    }

    private static FileStream Create(string directory, string name) =>
        new(Path.Combine(directory, name), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);

    internal static ExportFileDigest Digest(string directory, string name)
    {
        using var stream = File.OpenRead(Path.Combine(directory, name));
        return new ExportFileDigest(name, Convert.ToHexStringLower(SHA256.HashData(stream)), stream.Length);
    }
}

public enum ExportRefusal
{
    /// <summary>The key to sign with is not the active key of the history (not registered yet, or superseded).</summary>
    KeyNotActive,

    /// <summary>The entry just before the range is missing, so the range has no previous hash to start from.</summary>
    RangeStartMissing,
}

/// <summary>An export that cannot be made as asked; nothing was signed.</summary>
public sealed class ExportRefusedException(ExportRefusal reason, string message) : Exception(message)
{
    public ExportRefusal Reason { get; } = reason;
}

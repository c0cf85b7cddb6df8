using System.Globalization;
using System.Security.Cryptography;
using Ledger.EventStore.Chain;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Merkle;

namespace Ledger.EventStore.Export;

/// <summary>
/// The offline verifier (docs/ledger-format.md §10): checks an export folder with no database and no network. The
/// manifest's signature against the key set, every file against the manifest's digests, every checkpoint's signature,
/// then the <see cref="ChainWalk"/> over the entries from the manifest's first previous hash: every hash and link, no
/// gap, every checkpoint reached with the hash it signed, the range complete, and the manifest's count and last hash.
/// </summary>
public static class ExportVerifier
{
    /// <param name="trustedKeys">
    /// The key set to trust, as the auditor obtained it from Ledger's public endpoint. Without it the export's own
    /// <c>jwks.json</c> is used, which proves the export consistent, not that Ledger's keys signed it.
    /// </param>
    /// <param name="extraCheckpoints">Checkpoint JWSs the auditor kept from earlier (an export lacking one cannot hide it).</param>
    public static ExportVerification Verify(string folder, LedgerKeySet? trustedKeys = null, IEnumerable<string>? extraCheckpoints = null)
    {
        var failures = new List<ExportFailure>();
        var manifestBytes = ReadOrNull(folder, ExportFiles.Manifest);
        ExportManifest manifest;
        try
        {
            manifest = ExportManifest.Parse(manifestBytes ?? throw new FormatException("manifest.json is missing"));
        }
        catch (FormatException e)
        {
            failures.Add(new(ChainFailureReason.Malformed, null, ExportFiles.Manifest, e.Message));
            return new(null, null, trustedKeys is null, 0, 0, 0, 0, [], failures);
        }

        var keys = trustedKeys ?? ExportKeys(folder, failures);
        var manifestKid = CheckManifestSignature(folder, manifest, manifestBytes!, keys, failures);
        CheckFiles(folder, manifest, failures);
        var anchors = ReadCheckpoints(folder, manifest, keys, extraCheckpoints, failures);

        var previous = manifest.FirstPreviousHash;
        if (manifest.From == 1 && !previous.AsSpan().SequenceEqual(LedgerRecord.GenesisHash))
        {
            failures.Add(new(ChainFailureReason.ManifestMismatch, null, ExportFiles.Manifest, "the range starts at 1 but first_previous_hash is not 32 zero bytes"));
            previous = LedgerRecord.GenesisHash;
        }
        var walk = new ChainWalk(manifest.From, previous, tree: Tree(manifest));
        walk.AddAnchors(anchors);
        var lines = WalkEntries(folder, manifest, walk);
        if (walk.Failure is null) walk.Finish(manifest.To, "the end of the manifest's range");

        if (walk.Failure is { } chainFailure)
            failures.Add(new(chainFailure.Reason, chainFailure.Position, null, chainFailure.Detail));
        else
        {
            if (lines != manifest.Count)
                failures.Add(new(ChainFailureReason.ManifestMismatch, null, ExportFiles.Entries,
                    string.Create(CultureInfo.InvariantCulture, $"the manifest counts {manifest.Count} entries, the file holds {lines}")));
            if (!walk.Previous.AsSpan().SequenceEqual(manifest.LastChainHash))
                failures.Add(new(ChainFailureReason.ManifestMismatch, null, ExportFiles.Manifest,
                    $"the chain ends at {Convert.ToHexStringLower(walk.Previous)}, the manifest's last_chain_hash is {Convert.ToHexStringLower(manifest.LastChainHash)}"));
        }
        return new(manifest, manifestKid, trustedKeys is null, walk.VerifiedThrough, walk.EntriesChecked, walk.AnchorsReached,
            anchors.Count, walk.Previous, failures, walk.Tree?.Root(), walk.TreeRootsUnchecked);
    }

    // The tree of the entries before the range: empty from position 1, else the manifest's frontier (which the first
    // format-2 checkpoint in range proves or refutes); none when an older export lacks it.
    private static MerkleTreeBuilder? Tree(ExportManifest manifest) =>
        manifest.From == 1 ? new MerkleTreeBuilder()
        : manifest.TreeFrontier is { } frontier ? new MerkleTreeBuilder(manifest.From - 1, frontier)
        : null;

    private static byte[]? ReadOrNull(string folder, string name)
    {
        var path = Path.Combine(folder, name);
        return File.Exists(path) ? File.ReadAllBytes(path) : null;
    }

    private static LedgerKeySet ExportKeys(string folder, List<ExportFailure> failures)
    {
        try
        {
            return LedgerKeySet.Parse(ReadOrNull(folder, ExportFiles.Keys) ?? throw new FormatException("jwks.json is missing"));
        }
        catch (FormatException e)
        {
            failures.Add(new(ChainFailureReason.Malformed, null, ExportFiles.Keys, e.Message));
            return new LedgerKeySet([]);
        }
    }

    private static string? CheckManifestSignature(string folder, ExportManifest manifest, byte[] manifestBytes, LedgerKeySet keys, List<ExportFailure> failures)
    {
        var jws = ReadOrNull(folder, ExportFiles.ManifestSignature) is { } bytes ? System.Text.Encoding.ASCII.GetString(bytes) : null;
        var verified = jws is null
            ? new JwsVerification(null, null, "manifest.jws is missing")
            : Es256Jws.Verify(jws, keys, Es256Jws.ManifestType, manifestBytes);
        var error = verified.Error
            ?? (verified.Key!.Refusal(manifest.CreatedAt) is { } refusal ? "the manifest: " + refusal : null);
        if (error is not null) failures.Add(new(ChainFailureReason.BadSignature, null, ExportFiles.ManifestSignature, error));
        return verified.Key?.Kid;
    }

    private static void CheckFiles(string folder, ExportManifest manifest, List<ExportFailure> failures)
    {
        foreach (var required in ExportFiles.Listed.Where(n => manifest.Files.All(f => f.Name != n)))
            failures.Add(new(ChainFailureReason.Malformed, null, ExportFiles.Manifest, $"the manifest lists no digest for {required}"));
        foreach (var file in manifest.Files)
        {
            if (!ExportFiles.Listed.Contains(file.Name))
            {
                failures.Add(new(ChainFailureReason.Malformed, null, ExportFiles.Manifest, $"the manifest lists an unknown file {file.Name}"));
                continue;
            }
            var path = Path.Combine(folder, file.Name);
            if (!File.Exists(path))
            {
                failures.Add(new(ChainFailureReason.FileHashMismatch, null, file.Name, "the file is missing"));
                continue;
            }
            using var stream = File.OpenRead(path);
            var sha256 = Convert.ToHexStringLower(SHA256.HashData(stream));
            if (sha256 != file.Sha256 || stream.Length != file.Size)
                failures.Add(new(ChainFailureReason.FileHashMismatch, null, file.Name,
                    string.Create(CultureInfo.InvariantCulture, $"SHA-256 {sha256} ({stream.Length} bytes), the manifest lists {file.Sha256} ({file.Size} bytes)")));
        }
    }

    private static List<ChainAnchor> ReadCheckpoints(
        string folder, ExportManifest manifest, LedgerKeySet keys, IEnumerable<string>? extra, List<ExportFailure> failures)
    {
        var anchors = new List<ChainAnchor>();
        var path = Path.Combine(folder, ExportFiles.Checkpoints);
        var exported = File.Exists(path) ? File.ReadAllLines(path).Where(l => l.Length > 0).ToList() : [];
        if (exported.Count != manifest.CheckpointCount)
            failures.Add(new(ChainFailureReason.ManifestMismatch, null, ExportFiles.Checkpoints,
                string.Create(CultureInfo.InvariantCulture, $"the manifest counts {manifest.CheckpointCount} checkpoints, the file holds {exported.Count}")));
        foreach (var (jws, index) in exported.Concat(extra ?? []).Select((j, i) => (j.Trim(), i)))
        {
            var anchor = SignedCheckpoint.ToAnchor(jws, keys, manifest.TenantId, fallbackPosition: 0);
            if (anchor.Position == 0)
                failures.Add(new(ChainFailureReason.BadSignature, null, index < exported.Count ? ExportFiles.Checkpoints : "(extra checkpoints)",
                    string.Create(CultureInfo.InvariantCulture, $"checkpoint {index + 1} cannot be read: {anchor.Invalid}")));
            else if (anchor.Position >= manifest.From - 1 && anchor.Position <= manifest.To)
                anchors.Add(anchor);
            else if (anchor.Position > manifest.To && manifest.ClaimsWholeLog && anchor.IsValid && anchor.IssuedAt <= manifest.CreatedAt)
                anchors.Add(anchor); // signed before an export that claims the log's end, so the walk must reach it: else a missing tail

        }
        return anchors;
    }

    private static long WalkEntries(string folder, ExportManifest manifest, ChainWalk walk)
    {
        var path = Path.Combine(folder, ExportFiles.Entries);
        if (!File.Exists(path)) return 0;
        long lines = 0;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        foreach (var line in NdjsonLines.Read(stream))
        {
            lines++;
            if (walk.Failure is not null) continue; // keep counting; the first failure stands
            ChainEntry entry;
            try
            {
                entry = ChainEntryJson.Parse(line, out var tenant);
                if (tenant != manifest.TenantId) throw new FormatException($"the record belongs to tenant {tenant}");
            }
            catch (FormatException e)
            {
                walk.Fail(new ChainFailure(walk.Next, ChainFailureReason.Malformed, string.Create(CultureInfo.InvariantCulture, $"line {lines}: {e.Message}")));
                continue;
            }
            if (entry.ChainSeq > manifest.To)
            {
                walk.Fail(new ChainFailure(entry.ChainSeq, ChainFailureReason.ManifestMismatch,
                    string.Create(CultureInfo.InvariantCulture, $"entry {entry.ChainSeq} lies beyond the manifest's range end {manifest.To}")));
                continue;
            }
            walk.Accept(entry);
        }
        return lines;
    }
}

/// <summary>Splits a stream into its LF-terminated lines as raw bytes (a last line without LF counts too).</summary>
internal static class NdjsonLines
{
    public static IEnumerable<byte[]> Read(Stream stream)
    {
        var buffer = new byte[1 << 16];
        var line = new MemoryStream();
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != (byte)'\n') continue;
                line.Write(buffer, start, i - start);
                yield return Take(line);
                start = i + 1;
            }
            line.Write(buffer, start, read - start);
        }
        if (line.Length > 0) yield return Take(line);
    }

    private static byte[] Take(MemoryStream line)
    {
        var bytes = line.ToArray();
        line.SetLength(0);
        return bytes;
    }
}

using System.Globalization;
using Ledger.EventStore.Chain;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Merkle;
using Npgsql;

namespace Ledger.EventStore.Witnesses;

/// <summary>One thing a witness holds that the database contradicts, or that does not verify.</summary>
public sealed record WitnessFinding(long Position, ChainFailureReason Reason, string File, string Detail);

/// <summary>What a witness directory holds for a tenant, checked against the database.</summary>
public sealed record WitnessReport(string Witness, int Checkpoints, int Notes, IReadOnlyList<WitnessFinding> Findings, IReadOnlyList<string> Jws);

/// <summary>
/// <c>ledger verify --witness &lt;dir&gt;</c>'s cross-check (docs/ledger-format.md §14): everything a witness directory
/// holds for a tenant must verify with the key set, and the database's chain must agree with it — the chain hash at
/// each witnessed position, and for a checkpoint that signs it (format 2) or a note, the tree root of that many
/// entries. Each note must say what its checkpoint says. A disagreement is a <c>checkpoint_mismatch</c> at that
/// position: the database was rewritten after the witness got the checkpoint (or the witness holds a forgery, which the
/// signature check tells apart). The witnessed JWSs are also returned, so the caller's walk takes them as checkpoints
/// the chain must reach. Reads only.
/// </summary>
public sealed class WitnessedChainCheck(NpgsqlDataSource dataSource)
{
    private readonly ChainEntryReader chain = new(dataSource);
    private readonly LedgerTreeReader trees = new(dataSource);

    public async Task<WitnessReport> CheckDirectoryAsync(string directory, string tenantId, LedgerKeySet keys, string keyName, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var folder = Path.Combine(directory, WitnessFiles.TenantFolder(tenantId));
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"witness directory {directory} does not exist");
        var findings = new List<WitnessFinding>();
        var held = new List<string>();
        var (checkpoints, notes) = (0, 0);
        foreach (var (position, jwsFile, noteFile) in Positions(folder))
        {
            Checkpoint? signed = null;
            if (jwsFile is not null)
            {
                checkpoints++;
                var jws = (await File.ReadAllTextAsync(jwsFile, ct)).Trim();
                held.Add(jws);
                signed = await CheckJwsAsync(jws, position, jwsFile, tenantId, keys, findings, ct);
            }
            if (noteFile is not null)
            {
                notes++;
                await CheckNoteAsync(await File.ReadAllTextAsync(noteFile, ct), position, noteFile, tenantId, keys, keyName, signed, findings, ct);
            }
        }
        return new WitnessReport(directory, checkpoints, notes, [.. findings.OrderBy(f => f.Position)], held);
    }

    private async Task<Checkpoint?> CheckJwsAsync(string jws, long position, string file, string tenantId, LedgerKeySet keys, List<WitnessFinding> findings, CancellationToken ct)
    {
        var anchor = SignedCheckpoint.ToAnchor(jws, keys, tenantId, position);
        if (!anchor.IsValid)
        {
            findings.Add(new(position, ChainFailureReason.BadSignature, file, $"{anchor.Source} does not verify: {anchor.Invalid}"));
            return null;
        }
        if (anchor.Position != position)
        {
            findings.Add(new(position, ChainFailureReason.Malformed, file, string.Create(CultureInfo.InvariantCulture, $"the file for position {position} holds the checkpoint at {anchor.Position}")));
            return null;
        }
        var checkpoint = new Checkpoint(tenantId, position, anchor.ChainHash, anchor.IssuedAt!.Value, anchor.TreeRoot);
        if (await ChainDisagreesAsync(tenantId, position, anchor.ChainHash, ct) is { } chainDetail)
            findings.Add(new(position, ChainFailureReason.CheckpointMismatch, file, "the witnessed checkpoint has chain hash " + Convert.ToHexStringLower(anchor.ChainHash) + "; " + chainDetail));
        else if (anchor.TreeRoot is { } root && await TreeDisagreesAsync(tenantId, position, root, ct) is { } treeDetail)
            findings.Add(new(position, ChainFailureReason.CheckpointMismatch, file, "the witnessed checkpoint's tree root " + treeDetail));
        return checkpoint;
    }

    private async Task CheckNoteAsync(string text, long position, string file, string tenantId, LedgerKeySet keys, string keyName,
        Checkpoint? signed, List<WitnessFinding> findings, CancellationToken ct)
    {
        var verified = CheckpointNote.Verify(text, keys, keyName, tenantId);
        if (!verified.Succeeded)
        {
            findings.Add(new(position, verified.Note is null ? ChainFailureReason.Malformed : ChainFailureReason.BadSignature, file, "the note does not verify: " + verified.Error));
            return;
        }
        var body = verified.Note!.Body;
        if (body.TreeSize != position)
        {
            findings.Add(new(position, ChainFailureReason.Malformed, file, string.Create(CultureInfo.InvariantCulture, $"the note for position {position} is of tree size {body.TreeSize}")));
            return;
        }
        if (signed is not null && (!signed.ChainHash.AsSpan().SequenceEqual(body.ChainHash) || signed.IssuedAt != body.IssuedAt
                || signed.TreeRoot is { } root && !root.AsSpan().SequenceEqual(body.TreeRoot)))
            findings.Add(new(position, ChainFailureReason.CheckpointMismatch, file, "the note does not say what the checkpoint beside it says (chain hash, issue time or tree root)"));
        else if (await ChainDisagreesAsync(tenantId, position, body.ChainHash, ct) is { } chainDetail)
            findings.Add(new(position, ChainFailureReason.CheckpointMismatch, file, "the witnessed note has chain hash " + Convert.ToHexStringLower(body.ChainHash) + "; " + chainDetail));
        else if (await TreeDisagreesAsync(tenantId, position, body.TreeRoot, ct) is { } treeDetail)
            findings.Add(new(position, ChainFailureReason.CheckpointMismatch, file, "the witnessed note's tree root " + treeDetail));
    }

    private async Task<string?> ChainDisagreesAsync(string tenantId, long position, byte[] witnessed, CancellationToken ct) =>
        await chain.ChainHashAtAsync(tenantId, position, ct) switch
        {
            null => "the database has no entry there",
            var stored when !stored.AsSpan().SequenceEqual(witnessed) => "the database has " + Convert.ToHexStringLower(stored),
            _ => null,
        };

    private async Task<string?> TreeDisagreesAsync(string tenantId, long size, byte[] witnessed, CancellationToken ct)
    {
        try
        {
            var root = await trees.RootAsync(tenantId, size, ct);
            return root.AsSpan().SequenceEqual(witnessed) ? null
                : $"{Convert.ToHexStringLower(witnessed)} is not the database's {Convert.ToHexStringLower(root)} for its first {size} entries";
        }
        catch (IncompleteTreeException e)
        {
            return $"{Convert.ToHexStringLower(witnessed)} cannot be recomputed: {e.Message}";
        }
    }

    // Every position the folder holds a file for (<n>.jws, <n>.note), ascending; other files are not the witness's.
    private static IEnumerable<(long Position, string? Jws, string? Note)> Positions(string folder)
    {
        if (!Directory.Exists(folder)) return [];
        return Directory.EnumerateFiles(folder)
            .Select(f => (File: f, Extension: Path.GetExtension(f), Stem: Path.GetFileNameWithoutExtension(f)))
            .Where(f => f.Extension is WitnessFiles.JwsExtension or WitnessFiles.NoteExtension
                && long.TryParse(f.Stem, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
            .GroupBy(f => long.Parse(f.Stem, CultureInfo.InvariantCulture))
            .OrderBy(g => g.Key)
            .Select(g => (g.Key, (string?)g.FirstOrDefault(f => f.Extension == WitnessFiles.JwsExtension).File,
                (string?)g.FirstOrDefault(f => f.Extension == WitnessFiles.NoteExtension).File));
    }
}

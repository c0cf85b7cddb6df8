using System.Buffers;
using System.Text.Json;
using Ledger.EventStore.Canonical;
using Ledger.EventStore.Chain;
using Ledger.EventStore.Checkpoints;

namespace Ledger.EventStore.Export;

/// <summary>The SHA-256 and size of one file of an export, as its manifest lists it.</summary>
public sealed record ExportFileDigest(string Name, string Sha256, long Size);

/// <summary>
/// What an export holds (docs/ledger-format.md §9): the tenant, the range of positions it covers, how many entries,
/// the chain hash before the first one and after the last one, each file's digest, and the versions of the formats and
/// algorithms involved. Written as RFC 8785 canonical JSON (<c>manifest.json</c>) and signed (<c>manifest.jws</c>).
/// <see cref="Head"/> is how far the tenant's log went when the export was made; an export reaching it claims to hold the
/// log through its end (null in exports written before the member existed: they claim nothing).
/// <see cref="TreeFrontier"/> is the Merkle frontier of the entries before <see cref="From"/>, with which a verifier checks
/// the tree roots format-2 checkpoints sign (null in older exports, and when the chain before the range is broken).
/// </summary>
public sealed record ExportManifest(
    string TenantId, long From, long To, long Count, byte[] FirstPreviousHash, byte[] LastChainHash, int CheckpointCount,
    DateTimeOffset CreatedAt, IReadOnlyList<ExportFileDigest> Files, long? Head = null, IReadOnlyList<byte[]>? TreeFrontier = null)
{
    /// <summary>The export reaches the end of the tenant's log as it was at <see cref="CreatedAt"/>: no signed checkpoint of that time lies past <see cref="To"/>.</summary>
    public bool ClaimsWholeLog => Head is { } head && To >= head;

    public const int FormatVersion = 1;
    public const string HashAlgorithm = "sha-256";
    public const string Canonicalization = "rfc8785";
    public const string SignatureAlgorithm = "ES256";

    public byte[] ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("canonicalization", Canonicalization);
            writer.WriteNumber("checkpoint_count", CheckpointCount);
            writer.WriteNumber("checkpoint_format", Checkpoint.FormatVersion);
            writer.WriteNumber("count", Count);
            writer.WriteString("created_at", LedgerRecord.FormatTimestamp(CreatedAt));
            writer.WriteNumber("export_format", FormatVersion);
            writer.WriteStartArray("files");
            foreach (var file in Files.OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                writer.WriteStartObject();
                writer.WriteString("name", file.Name);
                writer.WriteString("sha256", file.Sha256);
                writer.WriteNumber("size", file.Size);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteString("first_previous_hash", Convert.ToHexStringLower(FirstPreviousHash));
            writer.WriteNumber("from", From);
            writer.WriteString("hash_alg", HashAlgorithm);
            if (Head is { } head) writer.WriteNumber("head", head);
            writer.WriteString("last_chain_hash", Convert.ToHexStringLower(LastChainHash));
            writer.WriteNumber("record_format", LedgerRecord.FormatVersion);
            writer.WriteString("signature_alg", SignatureAlgorithm);
            writer.WriteString("tenant_id", TenantId);
            writer.WriteNumber("to", To);
            if (TreeFrontier is not null)
            {
                writer.WriteStartArray("tree_frontier");
                foreach (var hash in TreeFrontier) writer.WriteStringValue(Convert.ToHexStringLower(hash));
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        }
        return JsonCanonicalizer.Canonicalize(buffer.WrittenSpan);
    }

    /// <exception cref="FormatException">not a manifest this verifier can read (including unknown format or algorithm versions).</exception>
    public static ExportManifest Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            var m = document.RootElement;
            if (m.ValueKind != JsonValueKind.Object) throw new FormatException("the manifest is not a JSON object");
            Expect(Int(m, "export_format"), FormatVersion, "export_format");
            Expect(Int(m, "record_format"), LedgerRecord.FormatVersion, "record_format");
            if (Int(m, "checkpoint_format") is not (Checkpoint.ChainOnlyFormat or Checkpoint.FormatVersion) and var format)
                throw new FormatException($"checkpoint_format is {format}; this verifier knows 1 and 2");
            Expect(Text(m, "hash_alg"), HashAlgorithm, "hash_alg");
            Expect(Text(m, "canonicalization"), Canonicalization, "canonicalization");
            Expect(Text(m, "signature_alg"), SignatureAlgorithm, "signature_alg");
            if (!m.TryGetProperty("files", out var files) || files.ValueKind != JsonValueKind.Array) throw new FormatException("files is not an array");
            var digests = files.EnumerateArray()
                .Select(f => new ExportFileDigest(Text(f, "name"), Text(f, "sha256"), Int(f, "size")))
                .ToList();
            var manifest = new ExportManifest(Text(m, "tenant_id"), Int(m, "from"), Int(m, "to"), Int(m, "count"),
                ChainEntryJson.Hex32(Text(m, "first_previous_hash"), "first_previous_hash"),
                ChainEntryJson.Hex32(Text(m, "last_chain_hash"), "last_chain_hash"), (int)Int(m, "checkpoint_count"),
                LedgerKeySet.ParseTimestamp(Text(m, "created_at"), "created_at"), digests,
                m.TryGetProperty("head", out _) ? Int(m, "head") : null, Frontier(m));
            if (manifest.From < 1 || manifest.To < manifest.From - 1 || manifest.Count < 0 || manifest.Head < 0)
                throw new FormatException("from, to, count and head are inconsistent");
            if (manifest.TreeFrontier is { } frontier && frontier.Count != long.PopCount(manifest.From - 1))
                throw new FormatException($"tree_frontier has {frontier.Count} hashes; the {manifest.From - 1} entries before the range need {long.PopCount(manifest.From - 1)}");
            return manifest;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new FormatException("the manifest is malformed: " + e.Message, e);
        }
    }

    private static List<byte[]>? Frontier(JsonElement m)
    {
        if (!m.TryGetProperty("tree_frontier", out var frontier)) return null;
        if (frontier.ValueKind != JsonValueKind.Array) throw new FormatException("tree_frontier is not an array");
        return [.. frontier.EnumerateArray().Select(h => h.ValueKind == JsonValueKind.String
            ? ChainEntryJson.Hex32(h.GetString()!, "tree_frontier")
            : throw new FormatException("tree_frontier holds a non-string"))];
    }

    private static void Expect<T>(T actual, T expected, string name)
    {
        if (!EqualityComparer<T>.Default.Equals(actual, expected))
            throw new FormatException($"{name} is {actual}; this verifier knows {expected}");
    }

    private static long Int(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n)
            ? n
            : throw new FormatException($"{name} is missing or not an integer");

    private static string Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw new FormatException($"{name} is missing or not a string");
}

/// <summary>The file names of an export, the same in a folder, a tar or a zip.</summary>
public static class ExportFiles
{
    public const string Manifest = "manifest.json";
    public const string ManifestSignature = "manifest.jws";
    public const string Entries = "entries.ndjson";
    public const string Checkpoints = "checkpoints.jws";
    public const string Keys = "jwks.json";

    public static readonly IReadOnlyList<string> Listed = [Checkpoints, Entries, Keys];
    public static readonly IReadOnlyList<string> All = [Manifest, ManifestSignature, Checkpoints, Entries, Keys];
}

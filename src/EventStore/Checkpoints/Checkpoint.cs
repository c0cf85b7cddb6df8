using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Ledger.EventStore.Canonical;
using Ledger.EventStore.Chain;

namespace Ledger.EventStore.Checkpoints;

/// <summary>
/// What a checkpoint attests: tenant <see cref="TenantId"/>'s chain had <see cref="ChainHash"/> at position
/// <see cref="ChainSeq"/> when it was signed at <see cref="IssuedAt"/>, and (format 2) its Merkle tree of
/// <see cref="ChainSeq"/> leaves had <see cref="TreeRoot"/> (docs/ledger-format.md §8, §13).
/// </summary>
public sealed record Checkpoint(string TenantId, long ChainSeq, byte[] ChainHash, DateTimeOffset IssuedAt, byte[]? TreeRoot = null)
{
    /// <summary>The format Ledger signs: 2, with the tree root. Format 1 (the chain hash alone) still verifies.</summary>
    public const int FormatVersion = 2;

    /// <summary>The first format, without a tree root.</summary>
    public const int ChainOnlyFormat = 1;

    public int Format => TreeRoot is null ? ChainOnlyFormat : FormatVersion;

    /// <summary>
    /// The JWS payload, RFC 8785 canonical: <c>{"chain_hash","chain_seq","checkpoint_format","issued_at","tenant_id"}</c>,
    /// and in format 2 <c>"tree_root","tree_size"</c> (the size is the position: the tree covers what the chain hash covers).
    /// </summary>
    public byte[] Payload()
    {
        var buffer = new ArrayBufferWriter<byte>(320);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("chain_hash", Convert.ToHexStringLower(ChainHash));
            writer.WriteNumber("chain_seq", ChainSeq);
            writer.WriteNumber("checkpoint_format", Format);
            writer.WriteString("issued_at", LedgerRecord.FormatTimestamp(IssuedAt));
            writer.WriteString("tenant_id", TenantId);
            if (TreeRoot is not null)
            {
                writer.WriteString("tree_root", Convert.ToHexStringLower(TreeRoot));
                writer.WriteNumber("tree_size", ChainSeq);
            }
            writer.WriteEndObject();
        }
        return JsonCanonicalizer.Canonicalize(buffer.WrittenSpan);
    }

    /// <exception cref="FormatException">not a checkpoint payload of format 1 or 2.</exception>
    public static Checkpoint ParsePayload(ReadOnlySpan<byte> payload)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new FormatException("a checkpoint payload is a JSON object");
            if (!root.TryGetProperty("checkpoint_format", out var format) || format.ValueKind != JsonValueKind.Number
                || !format.TryGetInt32(out var version) || version is not (ChainOnlyFormat or FormatVersion))
                throw new FormatException("checkpoint_format is not 1 or 2");
            var chainSeq = Position(root, "chain_seq");
            byte[]? treeRoot = null;
            if (version == FormatVersion)
            {
                if (Position(root, "tree_size") != chainSeq) throw new FormatException("tree_size is not chain_seq");
                treeRoot = ChainEntryJson.Hex32(Text(root, "tree_root"), "tree_root");
            }
            return new Checkpoint(Text(root, "tenant_id"), chainSeq, ChainEntryJson.Hex32(Text(root, "chain_hash"), "chain_hash"),
                LedgerKeySet.ParseTimestamp(Text(root, "issued_at"), "issued_at"), treeRoot);
        }
        catch (JsonException e)
        {
            throw new FormatException("not JSON: " + e.Message, e);
        }
    }

    private static long Position(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var position) && position >= 1
            ? position
            : throw new FormatException($"{name} is not a positive integer");

    private static string Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new FormatException($"{name} is missing or not a string");
}

/// <summary>A checkpoint with its signature as stored and exported: the compact JWS is the checkpoint; the rest is an index of it.</summary>
public sealed record SignedCheckpoint(Checkpoint Checkpoint, string Kid, string Jws)
{
    public static SignedCheckpoint Sign(Checkpoint checkpoint, CheckpointKey key)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(key);
        return new(checkpoint, key.Kid, Es256Jws.Sign(key, Es256Jws.CheckpointType, checkpoint.Payload()));
    }

    /// <summary>
    /// What a checkpoint JWS vouches for, as an anchor of a walk over <paramref name="tenantId"/>'s chain. A JWS that does
    /// not verify (unknown key, bad signature, signed outside its key's validity, for another tenant) gives an invalid
    /// anchor, placed where it claims to be (or at <paramref name="fallbackPosition"/> if even that cannot be read).
    /// </summary>
    public static ChainAnchor ToAnchor(string jws, LedgerKeySet keys, string tenantId, long fallbackPosition)
    {
        var verified = Es256Jws.Verify(jws, keys, Es256Jws.CheckpointType);
        Checkpoint? claimed = null;
        try
        {
            claimed = Checkpoint.ParsePayload(verified.Payload ?? Es256Jws.UnverifiedPayload(jws) ?? []);
        }
        catch (FormatException e) when (verified.Succeeded)
        {
            return new ChainAnchor(fallbackPosition, [], $"the checkpoint at {fallbackPosition}", "its payload is malformed: " + e.Message);
        }
        catch (FormatException)
        {
        }
        var position = claimed?.ChainSeq ?? fallbackPosition;
        var source = claimed is null
            ? string.Create(CultureInfo.InvariantCulture, $"the checkpoint at {position}")
            : string.Create(CultureInfo.InvariantCulture, $"the checkpoint at {position} signed {LedgerRecord.FormatTimestamp(claimed.IssuedAt)}");
        var invalid = verified.Error
            ?? (claimed!.TenantId != tenantId ? $"it is signed for tenant {claimed.TenantId}" : null)
            ?? verified.Key!.Refusal(claimed.IssuedAt);
        return new ChainAnchor(position, claimed?.ChainHash ?? [], source, invalid, claimed?.IssuedAt, claimed?.TreeRoot);
    }
}

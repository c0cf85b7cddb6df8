using System.Buffers;
using System.Text.Json;
using Ledger.EventStore.Canonical;

namespace Ledger.EventStore.Chain;

/// <summary>
/// The JSON form of a <see cref="ChainEntry"/>, used by export files (one per line) and the auditor API:
/// <c>{"chain_hash":"…","chain_seq":n,"entry_hash":"…","record":{…}}</c> with lowercase hex hashes and the record
/// written as its canonical bytes, so the whole line is itself RFC 8785 canonical JSON.
/// </summary>
public static class ChainEntryJson
{
    public static void Write(Utf8JsonWriter writer, ChainEntry entry)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(entry);
        writer.WriteStartObject();
        writer.WriteString("chain_hash", Convert.ToHexStringLower(entry.ChainHash));
        writer.WriteNumber("chain_seq", entry.ChainSeq);
        writer.WriteString("entry_hash", Convert.ToHexStringLower(entry.EntryHash));
        writer.WritePropertyName("record");
        writer.WriteRawValue(entry.Record, skipInputValidation: true);
        writer.WriteEndObject();
    }

    /// <summary>One NDJSON line, without its line feed.</summary>
    public static byte[] ToLine(ChainEntry entry)
    {
        var buffer = new ArrayBufferWriter<byte>(entry?.Record.Length + 200 ?? 256);
        using (var writer = new Utf8JsonWriter(buffer))
            Write(writer, entry!);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Reads one line back; the record is re-canonicalised, so a record whose bytes were merely re-spelt (member
    /// order, escapes) still hashes the same, as the format intends. <paramref name="tenantId"/> is the record's
    /// <c>tenant_id</c> member.
    /// </summary>
    /// <exception cref="FormatException">the line is not an entry of this shape.</exception>
    public static ChainEntry Parse(ReadOnlySpan<byte> line, out string tenantId)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new FormatException("an entry is a JSON object");
            var record = Member(root, "record", JsonValueKind.Object);
            tenantId = Member(record, "tenant_id", JsonValueKind.String).GetString()!;
            var seq = Member(root, "chain_seq", JsonValueKind.Number);
            if (!seq.TryGetInt64(out var chainSeq)) throw new FormatException("chain_seq is not an integer");
            return new ChainEntry(chainSeq, JsonCanonicalizer.Canonicalize(record),
                Hex32(Member(root, "entry_hash", JsonValueKind.String).GetString()!, "entry_hash"),
                Hex32(Member(root, "chain_hash", JsonValueKind.String).GetString()!, "chain_hash"));
        }
        catch (JsonException e)
        {
            throw new FormatException("not JSON: " + e.Message, e);
        }
    }

    /// <summary>32 bytes written as 64 lowercase hex digits, as every hash in the format is.</summary>
    public static byte[] Hex32(string hex, string what)
    {
        ArgumentNullException.ThrowIfNull(hex);
        if (hex.Length != 64 || !hex.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
            throw new FormatException($"{what} is not 64 lowercase hex digits");
        return Convert.FromHexString(hex);
    }

    private static JsonElement Member(JsonElement element, string name, JsonValueKind kind) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == kind
            ? value
            : throw new FormatException($"member {name} is missing or not a JSON {kind.ToString().ToLowerInvariant()}");
}

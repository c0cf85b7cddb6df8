using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ledger.EventStore.Canonical;

namespace Ledger.EventStore.Chain;

/// <summary>
/// The exact record each chain entry hashes, as docs/ledger-format.md specifies it: a JSON object of
/// the event's fields, serialised as RFC 8785 canonical JSON, hashed with SHA-256. The chain position
/// is deliberately not in it: the entry is hashed apart from its link, so the application can hash
/// before it knows where the entry will land, and the database links it while holding the head.
/// </summary>
public static class LedgerRecord
{
    public const int FormatVersion = 1;

    public static readonly byte[] GenesisHash = new byte[32];

    public static byte[] CanonicalBytes(
        string tenantId, string streamId, long streamVersion, Guid eventId, string eventType, int typeVersion,
        DateTimeOffset occurredAt, JsonElement data, JsonElement metadata)
    {
        // The members are written in RFC 8785 order (their names sorted as UTF-16 code units) and every value in its
        // canonical form, so the record comes out canonical as written, with no second parse of it: this runs for
        // every event appended and every entry verified.
        var buffer = new ArrayBufferWriter<byte>(1024);
        Raw(buffer, "{\"data\":"u8);
        JsonCanonicalizer.WriteCanonical(data, buffer);
        WriteEvent(buffer, eventId, eventType, typeVersion);
        JsonCanonicalizer.WriteCanonical(metadata, buffer);
        WritePlace(buffer, tenantId, streamId, streamVersion, occurredAt);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Writes the same record as <see cref="CanonicalBytes"/> with <c>data</c> and <c>metadata</c> given as JSON text
    /// (UTF-8, as the store sends it): the verifier's form, which builds no JSON tree and no array per record.
    /// </summary>
    public static void WriteCanonical(
        IBufferWriter<byte> output, string tenantId, string streamId, long streamVersion, Guid eventId, string eventType,
        int typeVersion, DateTimeOffset occurredAt, ReadOnlySpan<byte> dataJson, ReadOnlySpan<byte> metadataJson)
    {
        ArgumentNullException.ThrowIfNull(output);
        Raw(output, "{\"data\":"u8);
        JsonCanonicalizer.WriteCanonical(dataJson, output);
        WriteEvent(output, eventId, eventType, typeVersion);
        JsonCanonicalizer.WriteCanonical(metadataJson, output);
        WritePlace(output, tenantId, streamId, streamVersion, occurredAt);
    }

    // The members between data and metadata, and the name of metadata.
    private static void WriteEvent(IBufferWriter<byte> output, Guid eventId, string eventType, int typeVersion)
    {
        Raw(output, ",\"event_id\":\""u8);
        eventId.TryFormat(output.GetSpan(36), out var written, "D");
        output.Advance(written);
        Raw(output, "\",\"event_type\":"u8);
        Text(output, eventType);
        Raw(output, ",\"event_version\":"u8);
        Number(output, typeVersion);
        Raw(output, ",\"metadata\":"u8);
    }

    // The members after metadata, through the closing brace.
    private static void WritePlace(IBufferWriter<byte> output, string tenantId, string streamId, long streamVersion, DateTimeOffset occurredAt)
    {
        Raw(output, ",\"occurred_at\":\""u8);
        output.Advance(RecordTimestamp.Write(occurredAt, output.GetSpan(RecordTimestamp.Length)));
        Raw(output, "\",\"record_format\":"u8);
        Number(output, FormatVersion);
        Raw(output, ",\"stream_id\":"u8);
        Text(output, streamId);
        Raw(output, ",\"stream_version\":"u8);
        Number(output, streamVersion);
        Raw(output, ",\"tenant_id\":"u8);
        Text(output, tenantId);
        Raw(output, "}"u8);
    }

    private static void Raw(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes) => output.Write(bytes);

    private static void Text(IBufferWriter<byte> output, string? value)
    {
        if (value is null) Raw(output, "null"u8);
        else JsonCanonicalizer.WriteString(value, output);
    }

    // As JCS writes every number: the IEEE-754 double, in ECMAScript form. Up to 2^53 every integer is a double, and
    // that form is its digits.
    private static void Number(IBufferWriter<byte> output, long value)
    {
        const long ExactInDouble = 1L << 53;
        if (value is >= -ExactInDouble and <= ExactInDouble)
        {
            value.TryFormat(output.GetSpan(20), out var written, default, CultureInfo.InvariantCulture);
            output.Advance(written);
        }
        else
        {
            Raw(output, Encoding.ASCII.GetBytes(JsonCanonicalizer.FormatNumber(value)));
        }
    }

    public static byte[] EntryHash(
        string tenantId, string streamId, long streamVersion, Guid eventId, string eventType, int typeVersion,
        DateTimeOffset occurredAt, JsonElement data, JsonElement metadata) =>
        SHA256.HashData(CanonicalBytes(tenantId, streamId, streamVersion, eventId, eventType, typeVersion, occurredAt, data, metadata));

    /// <summary><c>chain_hash = SHA-256(previous chain_hash ‖ entry_hash)</c>; the genesis previous hash is 32 zero bytes.</summary>
    public static byte[] Link(ReadOnlySpan<byte> previousChainHash, ReadOnlySpan<byte> entryHash)
    {
        Span<byte> joined = stackalloc byte[64];
        previousChainHash.CopyTo(joined);
        entryHash.CopyTo(joined[32..]);
        return SHA256.HashData(joined);
    }

    /// <summary>UTC, always six fractional digits (PostgreSQL keeps microseconds): <c>2026-11-23T16:18:16.123456Z</c>.</summary>
    public static string FormatTimestamp(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The stored time has microsecond precision; an event is hashed with the time it will be stored with.</summary>
    public static DateTimeOffset TruncateToMicroseconds(DateTimeOffset at) =>
        new(at.UtcTicks - at.UtcTicks % 10, TimeSpan.Zero);

    /// <summary>Metadata as stored and hashed: absent values are left out, not written as null.</summary>
    public static JsonElement MetadataJson(EventMetadata metadata)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("actor", metadata.Actor);
            if (metadata.CausationId is not null) writer.WriteString("causation_id", metadata.CausationId);
            writer.WriteString("correlation_id", metadata.CorrelationId);
            writer.WriteString("origin", metadata.Origin);
            if (metadata.TraceId is not null) writer.WriteString("trace_id", metadata.TraceId);
            writer.WriteEndObject();
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    public static EventMetadata ParseMetadata(JsonElement json) => new(
        CorrelationId: json.TryGetProperty("correlation_id", out var c) ? c.GetString() ?? "" : "",
        CausationId: json.TryGetProperty("causation_id", out var k) ? k.GetString() : null,
        Actor: json.TryGetProperty("actor", out var a) ? a.GetString() ?? "" : "",
        TraceId: json.TryGetProperty("trace_id", out var t) ? t.GetString() : null,
        Origin: json.TryGetProperty("origin", out var o) ? o.GetString() ?? "" : "");
}

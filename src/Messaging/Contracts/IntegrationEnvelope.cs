using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Ledger.EventStore;

namespace Ledger.Messaging.Contracts;

/// <summary>
/// The body of every integration message, published or consumed (DESIGN.md, Messaging). Field names are
/// snake_case; absent ids are written as null, so every key is always present; money inside the payload is a
/// decimal string. <see cref="EventId"/> is also the AMQP <c>message_id</c>, the key consumers deduplicate by.
/// </summary>
public sealed record IntegrationEnvelope(
    Guid EventId,
    string EventName,
    int EventVersion,
    DateTimeOffset OccurredAt,
    string TenantId,
    string CorrelationId,
    string? CausationId,
    string? TraceId,
    string Producer,
    string? Actor,
    JsonElement Payload)
{
    public string MessageType => MessageTypes.Of(EventName, EventVersion);

    /// <summary>The envelope a stored event is published in; the trace id is the one its traceparent carries.</summary>
    public static IntegrationEnvelope For(RecordedEvent recorded, IntegrationEvent published, string producer)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        ArgumentNullException.ThrowIfNull(published);
        var meta = recorded.Metadata;
        return new IntegrationEnvelope(
            recorded.EventId, published.Name, published.Version, recorded.OccurredAt, recorded.TenantId,
            meta.CorrelationId, meta.CausationId, TraceParent.TraceIdFor(meta.TraceId, recorded.EventId),
            producer, meta.Actor, published.Payload);
    }

    /// <summary>The envelope's JSON, written into this thread's reused buffer and copied out once at its exact size.</summary>
    public byte[] ToUtf8Json()
    {
        var (buffer, json) = EnvelopeWriter.Rent();
        json.WriteStartObject();
        json.WriteString(Names.EventId, EventId);
        json.WriteString(Names.EventName, EventName);
        json.WriteNumber(Names.EventVersion, EventVersion);
        Span<char> occurredAt = stackalloc char[32];
        OccurredAt.UtcDateTime.TryFormat(occurredAt, out var length, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        json.WriteString(Names.OccurredAt, occurredAt[..length]);
        json.WriteString(Names.TenantId, TenantId);
        json.WriteString(Names.CorrelationId, CorrelationId);
        WriteNullable(json, Names.CausationId, CausationId);
        WriteNullable(json, Names.TraceId, TraceId);
        json.WriteString(Names.Producer, Producer);
        WriteNullable(json, Names.Actor, Actor);
        json.WritePropertyName(Names.Payload);
        Payload.WriteTo(json);
        json.WriteEndObject();
        json.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads an envelope (already checked against its schema, but a schema is no proof of types).</summary>
    /// <exception cref="MessageRejectedException">the body is not an envelope.</exception>
    public static IntegrationEnvelope Parse(JsonElement root)
    {
        try
        {
            if (root.ValueKind != JsonValueKind.Object) throw new FormatException("the body is not a JSON object");
            return new IntegrationEnvelope(
                Guid.ParseExact(Required(root, "event_id").GetString()!, "D"),
                Text(root, "event_name")!,
                Required(root, "event_version").GetInt32(),
                DateTimeOffset.Parse(Text(root, "occurred_at")!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                Text(root, "tenant_id")!,
                Text(root, "correlation_id")!,
                Text(root, "causation_id", optional: true),
                Text(root, "trace_id", optional: true),
                Text(root, "producer")!,
                Text(root, "actor", optional: true),
                Required(root, "payload").Clone());
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or KeyNotFoundException or OverflowException)
        {
            throw new MessageRejectedException("invalid_envelope", $"Not an integration envelope: {e.Message}");
        }
    }

    private static JsonElement Required(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) ? value : throw new KeyNotFoundException($"'{name}' is missing");

    private static string? Text(JsonElement root, string name, bool optional = false)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return optional ? null : throw new KeyNotFoundException($"'{name}' is missing");
        var text = value.GetString();
        return optional || !string.IsNullOrEmpty(text) ? text : throw new FormatException($"'{name}' is empty");
    }

    private static void WriteNullable(Utf8JsonWriter json, JsonEncodedText name, string? value)
    {
        if (value is null) json.WriteNull(name);
        else json.WriteString(name, value);
    }

    private static class Names
    {
        public static readonly JsonEncodedText EventId = JsonEncodedText.Encode("event_id");
        public static readonly JsonEncodedText EventName = JsonEncodedText.Encode("event_name");
        public static readonly JsonEncodedText EventVersion = JsonEncodedText.Encode("event_version");
        public static readonly JsonEncodedText OccurredAt = JsonEncodedText.Encode("occurred_at");
        public static readonly JsonEncodedText TenantId = JsonEncodedText.Encode("tenant_id");
        public static readonly JsonEncodedText CorrelationId = JsonEncodedText.Encode("correlation_id");
        public static readonly JsonEncodedText CausationId = JsonEncodedText.Encode("causation_id");
        public static readonly JsonEncodedText TraceId = JsonEncodedText.Encode("trace_id");
        public static readonly JsonEncodedText Producer = JsonEncodedText.Encode("producer");
        public static readonly JsonEncodedText Actor = JsonEncodedText.Encode("actor");
        public static readonly JsonEncodedText Payload = JsonEncodedText.Encode("payload");
    }

    /// <summary>
    /// One buffer and one writer per thread, reset for each envelope: the outbox writes hundreds of envelopes a page,
    /// and a fresh stream and writer for each cost more than the JSON itself. The writer's options are the defaults,
    /// as they always were, so the bytes do not change.
    /// </summary>
    private static class EnvelopeWriter
    {
        [ThreadStatic] private static ArrayBufferWriter<byte>? buffer;
        [ThreadStatic] private static Utf8JsonWriter? writer;

        private const int KeptCapacity = 256 * 1024; // a rare huge payload does not pin its buffer to the thread

        public static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Json) Rent()
        {
            if (buffer is { Capacity: > KeptCapacity }) (buffer, writer) = (null, null);
            var reused = buffer ??= new ArrayBufferWriter<byte>(1024);
            reused.ResetWrittenCount();
            var json = writer ??= new Utf8JsonWriter(reused);
            json.Reset(reused);
            return (reused, json);
        }
    }
}

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

    public byte[] ToUtf8Json()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("event_id", EventId.ToString("D"));
            json.WriteString("event_name", EventName);
            json.WriteNumber("event_version", EventVersion);
            json.WriteString("occurred_at", OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
            json.WriteString("tenant_id", TenantId);
            json.WriteString("correlation_id", CorrelationId);
            WriteNullable(json, "causation_id", CausationId);
            WriteNullable(json, "trace_id", TraceId);
            json.WriteString("producer", Producer);
            WriteNullable(json, "actor", Actor);
            json.WritePropertyName("payload");
            Payload.WriteTo(json);
            json.WriteEndObject();
        }
        return buffer.ToArray();
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

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null) json.WriteNull(name);
        else json.WriteString(name, value);
    }
}

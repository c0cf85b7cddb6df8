using System.Text;
using System.Text.Json;
using Ledger.Messaging.Contracts;
using Wolverine;
using Wolverine.Runtime.Serialization;

namespace Ledger.Host.Messaging.Inbound;

/// <summary>
/// Reads a consumer's message body: UTF-8 JSON, of a type the consumer is bound to, valid against that type's schema in
/// schemas/, an envelope whose event id is the message id. Anything else is a <see cref="MessageRejectedException"/>
/// with a stable code (kept in the envelope's <see cref="InboundHeaders.ErrorCode"/> header): Wolverine moves a message
/// it cannot read to the dead letters at once, without retries. Read-only: inbound messages are never written back.
/// </summary>
internal sealed class InboundSerializer(InboundConsumer consumer) : IMessageSerializer
{
    public const string ContentTypeName = "application/vnd.ledger.integration-envelope+json";

    public string ContentType => ContentTypeName;

    public object ReadFromData(Type messageType, Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        try
        {
            return Read(envelope);
        }
        catch (MessageRejectedException e)
        {
            envelope.Headers[InboundHeaders.ErrorCode] = e.Reason;
            throw;
        }
    }

    private InboundMessage Read(Envelope envelope)
    {
        var schemas = ContractSchemas.EmbeddedAsync().GetAwaiter().GetResult(); // loaded once, at the first message
        string json;
        JsonElement root;
        try
        {
            json = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(envelope.Data ?? []);
            using var document = JsonDocument.Parse(json);
            root = document.RootElement.Clone();
        }
        catch (Exception e) when (e is JsonException or DecoderFallbackException)
        {
            throw new MessageRejectedException("invalid_json", $"The body is not UTF-8 JSON: {e.Message}", e);
        }

        var type = envelope.Headers.GetValueOrDefault(InboundHeaders.AmqpType) ?? TypeFromBody(root);
        if (type is null || !consumer.MessageTypes.Contains(type, StringComparer.Ordinal) || !schemas.Has(type))
            throw new MessageRejectedException("unknown_type", $"Consumer '{consumer.Name}' does not take messages of type '{type ?? "(none)"}'.");
        var violations = schemas.Validate(type, json);
        if (violations.Count > 0)
            throw new MessageRejectedException("schema_violation", Truncate($"Not a valid {type}: {string.Join("; ", violations)}"));

        var body = IntegrationEnvelope.Parse(root);
        if (body.MessageType != type)
            throw new MessageRejectedException("invalid_envelope", $"The message says it is a {type} but its body is a {body.MessageType}.");
        // The inbox deduplicates by the AMQP message_id, which the contract makes the event id: one without the other
        // would let two copies of one event through, or drop a different event as a duplicate.
        if (envelope.Headers.GetValueOrDefault(InboundHeaders.AmqpMessageId) is not { } messageId
            || !Guid.TryParse(messageId, out var id) || id != body.EventId)
            throw new MessageRejectedException("invalid_message_id", $"The AMQP message_id must be the envelope's event_id ({body.EventId:D}).");
        var traceId = TraceParent.TryReadTraceId(envelope.Headers.GetValueOrDefault(InboundHeaders.TraceParent), out var fromHeader)
            ? fromHeader
            : body.TraceId;
        return consumer.Create(body, body.EventId.ToString("D"), traceId);
    }

    private static string? TypeFromBody(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object
        && root.TryGetProperty("event_name", out var name) && name.ValueKind == JsonValueKind.String
        && root.TryGetProperty("event_version", out var version) && version.TryGetInt32(out var v)
            ? MessageTypes.Of(name.GetString()!, v)
            : null;

    private static string Truncate(string text, int max = 1000) => text.Length <= max ? text : text[..max] + "…";

    public byte[] Write(Envelope envelope) => throw new NotSupportedException("Inbound messages are never written.");

    public object ReadFromData(byte[] data) => throw new NotSupportedException("Inbound messages are read with their envelope.");

    public byte[] WriteMessage(object message) => throw new NotSupportedException("Inbound messages are never written.");
}

using System.Globalization;
using RabbitMQ.Client;
using Wolverine;
using Wolverine.RabbitMQ.Internal;

namespace Ledger.Messaging.Outbox;

/// <summary>
/// The AMQP properties of every published integration message, exactly as the hand-written relay set them:
/// <c>message_id</c> = event id, <c>type</c> = message type, JSON in UTF-8, persistent, <c>correlation_id</c>,
/// <c>app_id</c> = producer, <c>timestamp</c> = when the event occurred (seconds), and the headers <c>traceparent</c>
/// and <c>tenant_id</c>. Nothing of Wolverine's own goes on the wire (its default mapper would add its envelope id as
/// message_id, its message type alias, and headers such as <c>wolverine-*</c>): consumers are other systems that
/// know Ledger's contract, not Wolverine. Everything comes from the envelope's stored headers, so an envelope
/// recovered from the outbox table after a restart (no message object) goes out the same.
/// </summary>
public sealed class IntegrationMessageMapper : IRabbitMqEnvelopeMapper
{
    public void MapEnvelopeToOutgoing(Envelope envelope, IBasicProperties outgoing)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(outgoing);
        var headers = envelope.Headers;
        outgoing.MessageId = Required(headers, IntegrationMessageHeaders.EventId);
        outgoing.Type = Required(headers, IntegrationMessageHeaders.MessageType);
        outgoing.ContentType = IntegrationMessageSerializer.JsonContentType;
        outgoing.ContentEncoding = "utf-8";
        outgoing.DeliveryMode = DeliveryModes.Persistent;
        outgoing.CorrelationId = Required(headers, IntegrationMessageHeaders.CorrelationId);
        outgoing.AppId = Required(headers, IntegrationMessageHeaders.Producer);
        outgoing.Timestamp = new AmqpTimestamp(long.Parse(Required(headers, IntegrationMessageHeaders.OccurredAt), CultureInfo.InvariantCulture));
        // Wolverine's sender hands over an empty dictionary; the client adds its publish sequence number under
        // confirm tracking, as it did for the relay.
        outgoing.Headers ??= new Dictionary<string, object?>(3);
        outgoing.Headers[IntegrationMessageHeaders.TraceParent] = Required(headers, IntegrationMessageHeaders.TraceParent);
        outgoing.Headers[IntegrationMessageHeaders.TenantId] = Required(headers, IntegrationMessageHeaders.TenantId);
    }

    /// <summary>This mapper is for the publishing endpoint only; Ledger never listens on it.</summary>
    public void MapIncomingToEnvelope(Envelope envelope, IReadOnlyBasicProperties incoming) =>
        throw new NotSupportedException("Ledger's integration exchange endpoint only publishes.");

    private static string Required(Dictionary<string, string?> headers, string name) =>
        headers.TryGetValue(name, out var value) && value is { Length: > 0 }
            ? value
            : throw new InvalidOperationException($"The outgoing envelope lacks its '{name}' header; it was not written by Ledger's outbox.");
}

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
/// know Ledger's contract, not Wolverine. Everything comes from the envelope's <see cref="IntegrationMessage"/>: the
/// outbox sends inline and stores no envelope, so an envelope without its message is not Ledger's outbox's.
/// </summary>
public sealed class IntegrationMessageMapper : IRabbitMqEnvelopeMapper
{
    public void MapEnvelopeToOutgoing(Envelope envelope, IBasicProperties outgoing)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(outgoing);
        var message = envelope.Message as IntegrationMessage
            ?? throw new InvalidOperationException($"The outgoing envelope carries no {nameof(IntegrationMessage)}; it was not sent by Ledger's outbox.");
        outgoing.MessageId = message.EventId.ToString("D");
        outgoing.Type = message.RoutingKey;
        outgoing.ContentType = IntegrationMessageSerializer.JsonContentType;
        outgoing.ContentEncoding = "utf-8";
        outgoing.DeliveryMode = DeliveryModes.Persistent;
        outgoing.CorrelationId = message.CorrelationId;
        outgoing.AppId = message.Producer;
        outgoing.Timestamp = new AmqpTimestamp(message.OccurredAt.ToUnixTimeSeconds());
        // Wolverine's sender hands over an empty dictionary; the client adds its publish sequence number under
        // confirm tracking, as it did for the relay.
        outgoing.Headers ??= new Dictionary<string, object?>(3);
        outgoing.Headers[IntegrationMessageHeaders.TraceParent] = message.TraceParent;
        outgoing.Headers[IntegrationMessageHeaders.TenantId] = message.TenantId;
    }

    /// <summary>This mapper is for the publishing endpoint only; Ledger never listens on it.</summary>
    public void MapIncomingToEnvelope(Envelope envelope, IReadOnlyBasicProperties incoming) =>
        throw new NotSupportedException("Ledger's integration exchange endpoint only publishes.");
}

using Ledger.EventStore;
using Ledger.Messaging.Contracts;
using RabbitMQ.Client;

namespace Ledger.Messaging.Relay;

/// <summary>
/// One stored event ready to publish: routing key, AMQP properties and the envelope's bytes. Public so the benchmark's
/// baseline publishes exactly the bytes the relay would.
/// </summary>
public sealed record OutgoingMessage(string RoutingKey, BasicProperties Properties, byte[] Body)
{
    public static OutgoingMessage For(RecordedEvent recorded, IntegrationEvent published, string producer)
    {
        var envelope = IntegrationEnvelope.For(recorded, published, producer);
        var messageType = envelope.MessageType;
        var properties = new BasicProperties
        {
            MessageId = recorded.EventId.ToString("D"),
            Type = messageType,
            ContentType = "application/json",
            ContentEncoding = "utf-8",
            DeliveryMode = DeliveryModes.Persistent,
            CorrelationId = envelope.CorrelationId,
            AppId = producer,
            Timestamp = new AmqpTimestamp(recorded.OccurredAt.ToUnixTimeSeconds()),
            // Room for the publish sequence number the client adds under confirm tracking.
            Headers = new Dictionary<string, object?>(3)
            {
                [TraceParent.Header] = TraceParent.Create(envelope.TraceId!, recorded.EventId),
                ["tenant_id"] = recorded.TenantId,
            },
        };
        return new OutgoingMessage(messageType, properties, envelope.ToUtf8Json());
    }
}

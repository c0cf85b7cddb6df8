using System.Globalization;
using System.Text;
using Ledger.Messaging.Contracts;
using RabbitMQ.Client;
using Wolverine;
using Wolverine.RabbitMQ.Internal;

namespace Ledger.Host.Messaging.Inbound;

/// <summary>
/// Reads a message other systems (the payment gateway, Ledger's own publisher) sent with plain AMQP properties into a
/// Wolverine envelope: the AMQP <c>message_id</c> becomes the envelope id (so the durable inbox deduplicates by it),
/// every message of the queue becomes its consumer's Wolverine message (the AMQP <c>type</c> is kept in a header for
/// the schema check), and the body is left for <see cref="InboundSerializer"/>. Listen-only: Ledger never publishes
/// through a consumer's queue.
/// </summary>
internal sealed class InboundEnvelopeMapper(InboundConsumer consumer) : IRabbitMqEnvelopeMapper
{
    public void MapIncomingToEnvelope(Envelope envelope, IReadOnlyBasicProperties incoming)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(incoming);
        // A message without a usable id cannot be deduplicated: it gets an id of its own here and is rejected by the
        // serializer (invalid_message_id), so it lands in the dead letters rather than being applied unguarded.
        envelope.Id = Guid.TryParse(incoming.MessageId, CultureInfo.InvariantCulture, out var id) ? id : Guid.CreateVersion7();
        envelope.MessageType = consumer.Identity;
        envelope.ContentType = InboundSerializer.ContentTypeName;
        envelope.CorrelationId = incoming.CorrelationId;
        if (incoming.MessageId is { } messageId) envelope.Headers[InboundHeaders.AmqpMessageId] = messageId;
        if (incoming.Type is { } type) envelope.Headers[InboundHeaders.AmqpType] = type;
        if (Text(incoming.Headers, TraceParent.Header) is { } traceparent) envelope.Headers[InboundHeaders.TraceParent] = traceparent;
    }

    public void MapEnvelopeToOutgoing(Envelope envelope, IBasicProperties outgoing) =>
        throw new NotSupportedException($"The {consumer.Name} queue is only listened to.");

    private static string? Text(IDictionary<string, object?>? headers, string name) =>
        headers is not null && headers.TryGetValue(name, out var value) ? value switch
        {
            byte[] bytes => Encoding.UTF8.GetString(bytes),
            null => null,
            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
        } : null;
}

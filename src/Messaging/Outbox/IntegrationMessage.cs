using Ledger.EventStore;
using Ledger.Messaging.Contracts;

namespace Ledger.Messaging.Outbox;

/// <summary>
/// One stored event as Wolverine publishes it to the exchange: its routing key (the message type, e.g.
/// <c>commerce.order.paid.v1</c>), the envelope's bytes, and what the AMQP properties are made of
/// (<see cref="IntegrationMessageMapper"/> reads them from here). The outbox sends inline and stores no envelope, so
/// every envelope Wolverine hands to the mapper and the serializer carries this object; nothing of it is copied into
/// Wolverine's envelope headers (seven string headers built, copied and parsed back per message were about 3% of the
/// publishing process's CPU in bench scenario 6).
/// </summary>
public sealed record IntegrationMessage(
    string RoutingKey,
    Guid EventId,
    string CorrelationId,
    string TenantId,
    string TraceParent,
    DateTimeOffset OccurredAt,
    string Producer,
    byte[] Body)
{
    /// <summary>The message a stored event is published as (the relay's <c>OutgoingMessage.For</c> before it).</summary>
    public static IntegrationMessage For(RecordedEvent recorded, IntegrationEvent published, string producer)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        var envelope = IntegrationEnvelope.For(recorded, published, producer);
        return new IntegrationMessage(envelope.MessageType, recorded.EventId, envelope.CorrelationId, recorded.TenantId,
            Contracts.TraceParent.Create(envelope.TraceId!, recorded.EventId), recorded.OccurredAt, producer, envelope.ToUtf8Json());
    }
}

/// <summary>The two AMQP headers every published message carries.</summary>
public static class IntegrationMessageHeaders
{
    public const string TraceParent = Contracts.TraceParent.Header;
    public const string TenantId = "tenant_id";
}

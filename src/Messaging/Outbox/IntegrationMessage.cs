using System.Globalization;
using Ledger.EventStore;
using Ledger.Messaging.Contracts;

namespace Ledger.Messaging.Outbox;

/// <summary>
/// One stored event as Wolverine publishes it to the exchange: its routing key (the message type, e.g.
/// <c>commerce.order.paid.v1</c>), the envelope's bytes, and what the AMQP properties are made of. Wolverine keeps an
/// outgoing envelope in its outbox table as its body bytes and string headers only, and after a restart it sends the
/// envelope without this object (<c>Envelope.Message</c> is null), so everything the wire needs travels in
/// <see cref="Headers"/> too: <see cref="IntegrationMessageMapper"/> reads the properties from there, never from here.
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

    /// <summary>What Wolverine stores with the envelope (and <see cref="IntegrationMessageMapper"/> writes as AMQP properties).</summary>
    public Dictionary<string, string?> Headers() => new(7, StringComparer.Ordinal)
    {
        [IntegrationMessageHeaders.EventId] = EventId.ToString("D"),
        [IntegrationMessageHeaders.MessageType] = RoutingKey,
        [IntegrationMessageHeaders.CorrelationId] = CorrelationId,
        [IntegrationMessageHeaders.Producer] = Producer,
        [IntegrationMessageHeaders.OccurredAt] = OccurredAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        [IntegrationMessageHeaders.TraceParent] = TraceParent,
        [IntegrationMessageHeaders.TenantId] = TenantId,
    };

    /// <summary>The message back from what the outbox stored: its headers and body bytes.</summary>
    public static IntegrationMessage FromStored(IReadOnlyDictionary<string, string?> headers, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(headers);
        string Required(string name) => headers.TryGetValue(name, out var value) && value is { Length: > 0 }
            ? value
            : throw new InvalidOperationException($"The outgoing envelope lacks its '{name}' header; it was not written by Ledger's outbox.");
        return new IntegrationMessage(
            Required(IntegrationMessageHeaders.MessageType),
            Guid.ParseExact(Required(IntegrationMessageHeaders.EventId), "D"),
            Required(IntegrationMessageHeaders.CorrelationId),
            Required(IntegrationMessageHeaders.TenantId),
            Required(IntegrationMessageHeaders.TraceParent),
            DateTimeOffset.FromUnixTimeSeconds(long.Parse(Required(IntegrationMessageHeaders.OccurredAt), CultureInfo.InvariantCulture)),
            Required(IntegrationMessageHeaders.Producer),
            body);
    }
}

/// <summary>
/// The envelope headers Ledger's outbox stores with each outgoing message. The <c>ledger-</c> ones exist only inside
/// Wolverine's outbox table; <c>traceparent</c> and <c>tenant_id</c> are the two AMQP headers every message carries.
/// </summary>
public static class IntegrationMessageHeaders
{
    public const string EventId = "ledger-event-id";
    public const string MessageType = "ledger-message-type";
    public const string CorrelationId = "ledger-correlation-id";
    public const string Producer = "ledger-producer";
    public const string OccurredAt = "ledger-occurred-at";
    public const string TraceParent = Contracts.TraceParent.Header;
    public const string TenantId = "tenant_id";
}

using Ledger.Messaging.Contracts;
using Wolverine.Attributes;

namespace Ledger.Host.Messaging.Inbound;

/// <summary>
/// An integration message received from RabbitMQ, read and validated against its schema (<see cref="InboundSerializer"/>).
/// <see cref="MessageId"/> is the AMQP <c>message_id</c> (the event id), which is also the Wolverine envelope id the
/// durable inbox deduplicates by; <see cref="TraceId"/> comes from the <c>traceparent</c> header, else the envelope.
/// </summary>
public abstract record InboundMessage(IntegrationEnvelope Envelope, string MessageId, string? TraceId)
{
    public string MessageType => Envelope.MessageType;
}

/// <summary>A payment gateway result (<c>payments.payment.confirmed.v1</c>, <c>payments.payment.failed.v1</c>) on <c>ledger.payments</c>.</summary>
[MessageIdentity(InboundConsumers.PaymentsMessage)]
public sealed record PaymentResultReceived(IntegrationEnvelope Envelope, string MessageId, string? TraceId)
    : InboundMessage(Envelope, MessageId, TraceId);

/// <summary>Ledger's own <c>commerce.order.paid.v1</c> on <c>ledger.invoicing</c>: the order's invoice is due.</summary>
[MessageIdentity(InboundConsumers.InvoicingMessage)]
public sealed record OrderPaidReceived(IntegrationEnvelope Envelope, string MessageId, string? TraceId)
    : InboundMessage(Envelope, MessageId, TraceId);

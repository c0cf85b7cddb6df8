using Ledger.Application.Payments;
using Ledger.Messaging.Contracts;

namespace Ledger.Host.Messaging.Inbound;

/// <summary>
/// One inbound consumer: its name (its queue is the queue prefix and the name: <c>ledger.payments</c>), the message
/// types it is bound to on the exchange (each needs a schema in schemas/), the Wolverine message it becomes and its
/// handler. The message's Wolverine identity (<c>ledger.inbound.payments</c>) also names the consumer in the
/// dead-letter storage.
/// </summary>
public sealed record InboundConsumer(string Name, IReadOnlyList<string> MessageTypes, Type Message, string Identity, Type Handler,
    Func<IntegrationEnvelope, string, string?, InboundMessage> Create);

/// <summary>Every inbound consumer the Host runs. Adding one: a message record, a handler, and a line here.</summary>
public static class InboundConsumers
{
    public const string PaymentsMessage = "ledger.inbound.payments";
    public const string InvoicingMessage = "ledger.inbound.invoicing";
    public const string OrderPaid = "commerce.order.paid.v1";

    public static InboundConsumer Payments { get; } = new("payments", PaymentMessages.ConsumedTypes, typeof(PaymentResultReceived), PaymentsMessage,
        typeof(PaymentResultsHandler), (envelope, id, trace) => new PaymentResultReceived(envelope, id, trace));

    public static InboundConsumer Invoicing { get; } = new("invoicing", [OrderPaid], typeof(OrderPaidReceived), InvoicingMessage,
        typeof(PaidOrderInvoicingHandler), (envelope, id, trace) => new OrderPaidReceived(envelope, id, trace));

    public static IReadOnlyList<InboundConsumer> All { get; } = [Payments, Invoicing];

    public static InboundConsumer? Named(string name) => All.FirstOrDefault(c => c.Name == name);

    public static InboundConsumer? ByIdentity(string? identity) => All.FirstOrDefault(c => c.Identity == identity);
}

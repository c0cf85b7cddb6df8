using Ledger.Application.Invoicing;
using Ledger.Messaging.Contracts;
using Wolverine;

namespace Ledger.Host.Messaging.Inbound;

/// <summary>
/// Issues the invoice of an order when its payment is published (<c>commerce.order.paid.v1</c>). The inbox drops a
/// redelivered message; an order paid seen again under another message meets the invoice already issued (its id is
/// derived from the order id): one invoice per order either way. The tenant is the envelope's: the message comes from
/// Ledger's own publisher.
/// </summary>
public static class PaidOrderInvoicingHandler
{
    public const string Actor = "ledger-invoicing";

    public static Task HandleAsync(OrderPaidReceived message, Envelope envelope, InboundCommands commands, TimeProvider clock,
        PaidOrderInvoicing invoicing, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(commands);
        if (!message.Envelope.Payload.TryGetProperty("order_id", out var id) || !id.TryGetGuid(out var orderId))
            throw new MessageRejectedException("invoicing.malformed_order_paid", "The order paid message names no order.");
        var context = InboundCommands.ContextOf(message, Actor, clock);
        var entity = InvoiceStreams.Invoice(InvoiceStreams.InvoiceIdForOrder(orderId));
        return commands.RunAsync(InboundConsumers.Invoicing, envelope, message, context, entity, (work, token) =>
            work.RunAsync((session, journal, t) => invoicing.IssueForAsync(session, journal, context, orderId, t), token), ct);
    }
}

using Ledger.EventStore.MartenStore;
using System.Text.Json;
using Ledger.Application;
using Ledger.Application.Invoicing;
using Ledger.Application.Invoicing.Settings;
using Ledger.Application.Orders;
using Ledger.Domain;
using Ledger.EventStore;
using Ledger.Messaging.Consumers;
using Ledger.Messaging.Contracts;

namespace Ledger.Host.Invoicing;

/// <summary>
/// Issues the invoice of an order when its payment is published (<c>commerce.order.paid.v1</c>), inside the consumer's
/// inbox transaction. The inbox drops a redelivered message; an order paid seen again under another message meets the
/// invoice already issued (its id is derived from the order id): one invoice per order either way. The tenant is the
/// envelope's: the message comes from Ledger's own relay.
/// </summary>
internal sealed class PaidOrderInvoicingConsumer(
    TimeProvider clock, IssuerProfiles issuers, TaxRuleBook taxRules, ExchangeRates exchangeRates, MartenEventStore events)
    : IMessageHandler
{
    public const string Name = "invoicing";
    public const string OrderPaid = "commerce.order.paid.v1";

    public ConsumerDefinition Definition => new(Name, [OrderPaid], this)
    {
        IsPermanent = e => e is DomainError or ValidationError or JsonException,
    };

    public async Task HandleAsync(InboundMessage message, MessageTransaction transaction, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(transaction);
        var envelope = message.Envelope;
        if (!envelope.Payload.TryGetProperty("order_id", out var id) || !id.TryGetGuid(out var orderId))
            throw new MessageRejectedException("invoicing.malformed_order_paid", "The order paid message names no order.");
        var context = new CommandContext(envelope.TenantId, "ledger-invoicing", clock.GetUtcNow(), envelope.CorrelationId, message.MessageId,
            message.TraceId, "rabbitmq");
        var store = new TransactionalEventStore(events, transaction.Transaction);
        var invoicing = new PaidOrderInvoicing(new OrderHandler(store), new InvoiceIssuer(store, issuers, taxRules, exchangeRates), issuers);
        try
        {
            await invoicing.IssueForAsync(context, orderId, ct);
        }
        catch (DomainError e)
        {
            throw new MessageRejectedException(e.Code, e.Message, e);
        }
    }
}

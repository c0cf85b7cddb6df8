using Ledger.EventStore.MartenStore;
using Ledger.Application;
using Ledger.Application.Payments;
using Ledger.Domain;
using Ledger.EventStore;
using Ledger.Messaging.Consumers;
using Ledger.Messaging.Contracts;

namespace Ledger.Host.Messaging;

/// <summary>
/// The payment gateway's results (<c>payments.payment.confirmed.v1</c>, <c>payments.payment.failed.v1</c>) applied
/// as order commands, inside the consumer's inbox transaction. The command's tenant is the envelope's (a trusted
/// service on the internal broker, see <see cref="PaymentResultHandler"/>); its actor the envelope's actor, else the
/// producing system; its causation the message id, so every resulting event names the message that caused it.
/// </summary>
internal sealed class PaymentResultsConsumer(TimeProvider clock, MartenEventStore events) : IMessageHandler
{
    public const string Name = "payments";

    public ConsumerDefinition Definition => new(Name, PaymentMessages.ConsumedTypes, this) { IsPermanent = PaymentResultHandler.IsPermanent };

    public async Task HandleAsync(InboundMessage message, MessageTransaction transaction, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(transaction);
        var envelope = message.Envelope;
        var context = new CommandContext(envelope.TenantId, envelope.Actor ?? envelope.Producer, clock.GetUtcNow(),
            envelope.CorrelationId, message.MessageId, message.TraceId, "rabbitmq");
        var store = new TransactionalEventStore(events, transaction.Transaction);
        try
        {
            await PaymentResultHandler.HandleAsync(store, context, message.MessageType, envelope.Payload, ct);
        }
        catch (DomainError e)
        {
            // Refused by the order: dead-lettered at once, with the refusal's stable code as the reason.
            throw new MessageRejectedException(e.Code, e.Message, e);
        }
        catch (ValidationError e)
        {
            throw new MessageRejectedException(e.Code, e.Message, e);
        }
    }
}

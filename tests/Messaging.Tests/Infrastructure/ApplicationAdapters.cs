using Ledger.Application;
using Ledger.Application.Integration;
using Ledger.Application.Payments;
using Ledger.Domain;
using Ledger.EventStore;
using Ledger.Messaging.Consumers;
using Ledger.Messaging.Contracts;

namespace Ledger.Messaging.Tests.Infrastructure;

// The same two adapters the Host composes (src/Host/Messaging): the application's catalogue and payment handler
// are transport-free, and these bind them to the messaging module.

/// <summary>The application's declared catalogue, as the relay reads it.</summary>
public sealed class LedgerCatalogue : IIntegrationEventCatalogue
{
    public IReadOnlyCollection<string> PublishedTypes => IntegrationCatalogue.PublishedTypes;

    public IntegrationEvent? Translate(RecordedEvent recorded) =>
        IntegrationCatalogue.Translate(recorded) is { } published ? new IntegrationEvent(published.Name, published.Version, published.Payload) : null;
}

/// <summary>The payment gateway's results applied as order commands inside the inbox transaction.</summary>
public sealed class PaymentsHandler(TimeProvider clock, Ledger.EventStore.MartenStore.MartenEventStore events) : IMessageHandler
{
    public const string Consumer = "payments";

    public static ConsumerDefinition Definition(IMessageHandler handler) =>
        new(Consumer, PaymentMessages.ConsumedTypes, handler) { IsPermanent = PaymentResultHandler.IsPermanent };

    public async Task HandleAsync(InboundMessage message, MessageTransaction transaction, CancellationToken ct)
    {
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
            throw new MessageRejectedException(e.Code, e.Message, e);
        }
        catch (ValidationError e)
        {
            throw new MessageRejectedException(e.Code, e.Message, e);
        }
    }
}

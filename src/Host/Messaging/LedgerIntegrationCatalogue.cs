using Ledger.Application.Integration;
using Ledger.EventStore;
using Ledger.Messaging.Contracts;

namespace Ledger.Host.Messaging;

/// <summary>The application's declared catalogue (which events leave Ledger, as what), as the outbox reads it.</summary>
internal sealed class LedgerIntegrationCatalogue : IIntegrationEventCatalogue
{
    public IReadOnlyCollection<string> PublishedTypes => IntegrationCatalogue.PublishedTypes;

    public IntegrationEvent? Translate(RecordedEvent recorded) =>
        IntegrationCatalogue.Translate(recorded) is { } published
            ? new IntegrationEvent(published.Name, published.Version, published.Payload)
            : null;
}

using Ledger.Application.Integration;
using Ledger.EventStore;
using Ledger.Messaging.Contracts;

namespace Ledger.Messaging.Tests.Infrastructure;

// The adapter the Host composes (src/Host/Messaging): the application's catalogue is transport-free, and this binds
// it to the relay.

/// <summary>The application's declared catalogue, as the relay reads it.</summary>
public sealed class LedgerCatalogue : IIntegrationEventCatalogue
{
    public IReadOnlyCollection<string> PublishedTypes => IntegrationCatalogue.PublishedTypes;

    public IntegrationEvent? Translate(RecordedEvent recorded) =>
        IntegrationCatalogue.Translate(recorded) is { } published ? new IntegrationEvent(published.Name, published.Version, published.Payload) : null;
}

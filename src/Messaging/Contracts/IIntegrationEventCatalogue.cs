using Ledger.EventStore;

namespace Ledger.Messaging.Contracts;

/// <summary>
/// Which stored events leave Ledger, and as what. Declared by the application (it knows orders and invoices;
/// this module does not): an event the catalogue does not translate stays internal and is never published.
/// </summary>
public interface IIntegrationEventCatalogue
{
    /// <summary>Every message type the outbox may publish (<c>name.vN</c>); each must have a schema.</summary>
    IReadOnlyCollection<string> PublishedTypes { get; }

    /// <summary>The integration event <paramref name="recorded"/> is published as, or null when it stays internal.</summary>
    IntegrationEvent? Translate(RecordedEvent recorded);
}

using Ledger.Application.Invoicing.Integration;
using Ledger.EventStore;

namespace Ledger.Application.Integration;

/// <summary>
/// The declared list of what leaves Ledger. Every stored event type is either published (as a contract with a
/// schema in schemas/) or named here as internal; the relay publishes what <see cref="Translate"/> returns and
/// passes over everything else. Adding an event type means deciding here which it is (a test checks every
/// known type is classified).
/// </summary>
public static class IntegrationCatalogue
{
    private static readonly Dictionary<(string Type, int Version), Publication> ByStoredType =
        OrderPublications.All.Concat(InvoicingPublications.All).ToDictionary(p => (p.StoredType, p.StoredVersion));

    public static IReadOnlyCollection<Publication> Publications => ByStoredType.Values;

    /// <summary>
    /// Stored event types that stay inside Ledger on purpose: invoice numbering and VERI*FACTU records (see
    /// <see cref="InvoicingPublications"/>). Every order event is published.
    /// </summary>
    public static IReadOnlySet<string> Internal { get; } = new HashSet<string>(InvoicingPublications.Internal, StringComparer.Ordinal);

    /// <summary>Every message type the relay may publish (<c>name.vN</c>).</summary>
    public static IReadOnlyCollection<string> PublishedTypes { get; } = [.. ByStoredType.Values.Select(p => p.MessageType).Distinct()];

    /// <summary>Every stored event type this catalogue has an opinion on (published or internal).</summary>
    public static IReadOnlySet<string> ClassifiedTypes { get; } =
        new HashSet<string>(ByStoredType.Keys.Select(k => k.Type).Concat(Internal), StringComparer.Ordinal);

    /// <summary>The contract <paramref name="recorded"/> is published as; null when it stays internal or is not ours.</summary>
    public static PublishedEvent? Translate(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        return ByStoredType.TryGetValue((recorded.EventType, recorded.TypeVersion), out var publication)
            ? new PublishedEvent(publication.Name, publication.Version, publication.Payload(recorded))
            : null;
    }
}

using Ledger.EventStore;
using Ledger.EventStore.MartenStore;
using Marten;

namespace Ledger.Application.Invoicing;

/// <summary>Reads a tenant's fiscal stream from a version on: the store's, or a command session's (inside its transaction).</summary>
public delegate Task<IReadOnlyList<RecordedEvent>> FiscalStreamReader(string tenantId, string streamId, long fromVersion, CancellationToken ct);

public static class FiscalStreamReaders
{
    /// <summary>The streams as <paramref name="session"/> sees them: its tenant's, its transaction's own writes included.</summary>
    public static FiscalStreamReader In(IQuerySession session, MartenEventStore store) =>
        (_, streamId, fromVersion, ct) => store.ReadStreamAsync(session, streamId, fromVersion, ct);
}

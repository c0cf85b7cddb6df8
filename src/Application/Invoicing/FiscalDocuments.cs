using Ledger.Application.Invoicing.Events;
using Ledger.Domain.Invoicing;
using Ledger.EventStore;

namespace Ledger.Application.Invoicing;

/// <summary>An invoice as of its stream's <paramref name="Version"/>.</summary>
/// <param name="Personal">The recipient's personal data as the issued event holds it (sealed, or in clear before encryption).</param>
public sealed record InvoiceSnapshot(Invoice.Issued State, long Version, EventStore.Privacy.PersonalRecord? Personal = null);

/// <summary>A credit note as of its stream's <paramref name="Version"/>.</summary>
public sealed record CreditNoteSnapshot(CreditNote.Issued State, long Version);

/// <summary>Loads fiscal documents by folding their streams; the one read path every invoicing handler uses.</summary>
public sealed class FiscalDocuments(FiscalStreamReader read)
{
    /// <summary>The documents as the store has them committed (a resource's read, the stamper's).</summary>
    public FiscalDocuments(IEventStore store) : this(store.ReadStreamAsync)
    {
    }

    public async Task<(Invoice State, long Version)> FoldInvoiceAsync(string tenantId, Guid invoiceId, CancellationToken ct = default) =>
        FoldInvoice(await read(tenantId, InvoiceStreams.Invoice(invoiceId), 1, ct).ConfigureAwait(false));

    private static (Invoice State, long Version) FoldInvoice(IReadOnlyList<RecordedEvent> recorded)
    {
        var state = InvoiceDecider.Initial;
        foreach (var e in recorded) state = InvoiceDecider.Evolve(state, InvoiceEventCodec.Decode(e));
        return (state, recorded.Count == 0 ? 0 : recorded[^1].StreamVersion);
    }

    public async Task<(CreditNote State, long Version)> FoldCreditNoteAsync(string tenantId, Guid creditNoteId, CancellationToken ct = default)
    {
        var recorded = await read(tenantId, InvoiceStreams.CreditNote(creditNoteId), 1, ct).ConfigureAwait(false);
        var state = CreditNoteDecider.Initial;
        foreach (var e in recorded) state = CreditNoteDecider.Evolve(state, CreditNoteEventCodec.Decode(e));
        return (state, recorded.Count == 0 ? 0 : recorded[^1].StreamVersion);
    }

    /// <summary>The invoice, or null when it has no stream in the tenant.</summary>
    public async Task<InvoiceSnapshot?> InvoiceAsync(string tenantId, Guid invoiceId, CancellationToken ct = default)
    {
        var recorded = await read(tenantId, InvoiceStreams.Invoice(invoiceId), 1, ct).ConfigureAwait(false);
        var (state, version) = FoldInvoice(recorded);
        return state is Invoice.Issued issued
            ? new InvoiceSnapshot(issued, version, EventStore.Privacy.PersonalRecord.Read(recorded[0].Data, issued.Facts.Customer.CustomerId))
            : null;
    }

    public async Task<CreditNoteSnapshot?> CreditNoteAsync(string tenantId, Guid creditNoteId, CancellationToken ct = default)
    {
        var (state, version) = await FoldCreditNoteAsync(tenantId, creditNoteId, ct).ConfigureAwait(false);
        return state is CreditNote.Issued issued ? new CreditNoteSnapshot(issued, version) : null;
    }
}

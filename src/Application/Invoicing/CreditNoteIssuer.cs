using Ledger.Application.Invoicing.Events;
using Ledger.Application.Invoicing.Settings;
using Ledger.Application.Invoicing.VeriFactu;
using Ledger.Domain.Invoicing;
using Ledger.EventStore;
using Ledger.EventStore.MartenStore;
using Marten;

namespace Ledger.Application.Invoicing;

/// <summary>
/// Issues credit notes on a command's Marten session, which its caller commits. One commit adds the credit note (its
/// stream must not exist), takes its number from the credit-note series, records the credit on the original invoice —
/// expecting the invoice's version as read, which is what keeps concurrent credit notes from crediting more than the
/// invoice — and, for a VERI*FACTU issuer, adds its record to the chain; all under the tenant's <see cref="FiscalLock"/>.
/// </summary>
public sealed class CreditNoteIssuer(MartenEventStore store, IssuerProfiles issuers)
{
    private readonly StreamTails tails = new();
    private readonly VeriFactuLink chain = new(new StreamTails());

    /// <exception cref="Domain.DomainError">the credit is refused (<c>invoice.*</c>, <c>credit_note.*</c>, <c>series.*</c>).</exception>
    public async Task<DocumentWritten> IssueAsync(IDocumentSession session, ICommandJournal journal, CommandContext context,
        IssueCreditNoteRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(request);
        var issuer = await issuers.ForAsync(context.TenantId, ct).ConfigureAwait(false);
        var series = request.Series ?? issuer.CreditNoteSeries;
        var issueDate = issuer.DateOf(context.Now);
        var noteStream = InvoiceStreams.CreditNote(request.CreditNoteId);
        var invoiceStream = InvoiceStreams.Invoice(request.InvoiceId);
        var seriesStream = InvoiceStreams.CreditNoteSeries(series);

        await journal.BeginAsync(session, context, noteStream, ct).ConfigureAwait(false);
        await FiscalLock.TakeAsync(session, ct).ConfigureAwait(false);
        var read = FiscalStreamReaders.In(session, store);
        var documents = new FiscalDocuments(read);
        var (note, noteVersion) = await documents.FoldCreditNoteAsync(context.TenantId, request.CreditNoteId, ct).ConfigureAwait(false);
        if (CreditNoteDecider.AlreadyIssuedFor(request.CreditNoteId, request.InvoiceId, note))
            return new DocumentWritten(request.CreditNoteId, ((CreditNote.Issued)note).Facts.Number, noteStream, noteVersion, null);

        var (invoice, invoiceVersion) = await documents.FoldInvoiceAsync(context.TenantId, request.InvoiceId, ct).ConfigureAwait(false);
        var (lastNumber, seriesVersion) = await tails.ReadAsync(read, context.TenantId, seriesStream, ct).ConfigureAwait(false);
        var seriesState = lastNumber is null ? InvoiceNumberingSeries.Initial
            : InvoiceNumberingSeries.Evolve(InvoiceNumberingSeries.Initial, NumberingEventCodec.Decode(lastNumber));
        var assigned = InvoiceNumberingSeries.Decide(new AssignNumber(series, request.CreditNoteId, context.Now, context.Actor), seriesState).Single();
        var credited = (InvoiceCredited)InvoiceDecider.Decide(
            new CreditInvoice(request.InvoiceId, request.CreditNoteId, assigned.Number, request.Lines, request.Reason, context.Now, context.Actor),
            invoice).Single();
        var issued = CreditNoteDecider.Decide(
            new IssueCreditNote(request.CreditNoteId, issueDate, ((Invoice.Issued)invoice).Facts, credited, context.Now, context.Actor), note).Single();

        var appends = new List<StreamAppend>
        {
            new(noteStream, ExpectedVersion.NoStream, [FiscalEvents.ToAppend(CreditNoteEventCodec.Encode(issued), context)]),
            new(seriesStream, ExpectedVersion.Exactly(seriesVersion), [FiscalEvents.ToAppend(NumberingEventCodec.Encode(assigned), context)]),
            new(invoiceStream, ExpectedVersion.Exactly(invoiceVersion), [FiscalEvents.ToAppend(InvoiceEventCodec.Encode(credited), context)]),
        };
        if (issuer is { VeriFactu: true, TaxId: { } issuerTaxId })
            appends.Add(await chain.NextAsync(read, context, record => VeriFactuChain.For(record, issuerTaxId.Value, issued.Facts, issuer.Zone), ct)
                .ConfigureAwait(false));

        var append = store.Stage(session, appends);
        await journal.RecordAcceptedAsync(session, context, noteStream, FiscalEvents.Written(appends), ct).ConfigureAwait(false);
        return new DocumentWritten(request.CreditNoteId, assigned.Number, noteStream, 1, append);
    }
}

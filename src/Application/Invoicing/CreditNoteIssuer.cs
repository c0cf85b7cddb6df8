using Ledger.Application.Invoicing.Events;
using Ledger.Application.Invoicing.Settings;
using Ledger.Application.Invoicing.VeriFactu;
using Ledger.Domain.Invoicing;
using Ledger.EventStore;

namespace Ledger.Application.Invoicing;

/// <summary>
/// Issues credit notes. One append adds the credit note (its stream must not exist), takes its number from the
/// credit-note series, records the credit on the original invoice — expecting the invoice's version as read, which
/// is what keeps concurrent credit notes from crediting more than the invoice: the second one is decided again
/// against what the first left — and, for a VERI*FACTU issuer, adds its record to the chain.
/// </summary>
public sealed class CreditNoteIssuer(IEventStore store, IssuerProfiles issuers)
{
    public const int MaxAttempts = 30;

    private readonly FiscalDocuments documents = new(store);
    private readonly StreamTails tails = new(store);
    private readonly SeriesGates gates = new();
    private readonly VeriFactuLink chain = new(new StreamTails(store));

    /// <exception cref="Domain.DomainError">the credit is refused (<c>invoice.*</c>, <c>credit_note.*</c>, <c>series.*</c>).</exception>
    /// <exception cref="ConcurrencyException">lost the race <see cref="MaxAttempts"/> times.</exception>
    public async Task<DocumentWritten> IssueAsync(CommandContext context, IssueCreditNoteRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(request);
        var issuer = await issuers.ForAsync(context.TenantId, ct).ConfigureAwait(false);
        var series = request.Series ?? issuer.CreditNoteSeries;
        var issueDate = issuer.DateOf(context.Now);
        var noteStream = InvoiceStreams.CreditNote(request.CreditNoteId);
        var invoiceStream = InvoiceStreams.Invoice(request.InvoiceId);
        var seriesStream = InvoiceStreams.CreditNoteSeries(series);

        using var gate = await gates.EnterAsync(context.TenantId, seriesStream, ct).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            var (note, noteVersion) = await documents.FoldCreditNoteAsync(context.TenantId, request.CreditNoteId, ct).ConfigureAwait(false);
            if (CreditNoteDecider.AlreadyIssuedFor(request.CreditNoteId, request.InvoiceId, note))
                return new DocumentWritten(request.CreditNoteId, ((CreditNote.Issued)note).Facts.Number, new CommandResult(noteStream, noteVersion, null, 0));

            var (invoice, invoiceVersion) = await documents.FoldInvoiceAsync(context.TenantId, request.InvoiceId, ct).ConfigureAwait(false);
            var (lastNumber, seriesVersion) = await tails.ReadAsync(context.TenantId, seriesStream, ct).ConfigureAwait(false);
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
                appends.Add(await chain.NextAsync(context, record => VeriFactuChain.For(record, issuerTaxId.Value, issued.Facts, issuer.Zone), ct).ConfigureAwait(false));

            try
            {
                var result = await store.AppendAsync(context.TenantId, appends, ct).ConfigureAwait(false);
                return new DocumentWritten(request.CreditNoteId, assigned.Number, new CommandResult(noteStream, 1, result.LastPosition, 1));
            }
            catch (ConcurrencyException) when (attempt < MaxAttempts)
            {
                // A number, the invoice or the chain moved on: decide again against what moved it.
                await Task.Delay(Random.Shared.Next(0, Math.Min(attempt * 2, 20)), ct).ConfigureAwait(false);
            }
        }
    }
}

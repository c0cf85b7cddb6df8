using Ledger.Application.Audit;
using Ledger.Application.Invoicing.Events;
using Ledger.Application.Invoicing.Settings;
using Ledger.Application.Invoicing.VeriFactu;
using Ledger.Domain.Invoicing;
using Ledger.EventStore;
using Ledger.EventStore.MartenStore;
using Ledger.EventStore.Privacy;
using Marten;

namespace Ledger.Application.Invoicing;

/// <summary>
/// Issues invoices on a command's Marten session, which its caller commits (Wolverine's transactional middleware for
/// <see cref="FiscalCommandHandler"/>; an inbound message's transaction). The number is taken in the same commit as the
/// invoice, under the tenant's <see cref="FiscalLock"/>: the invoice stream must not exist yet, the series stream must
/// still be at the version read (its last number), and — for a VERI*FACTU issuer — the chain must still end with the
/// record read. A refused issue appends nothing, so no number is ever lost or given twice.
/// </summary>
public sealed class InvoiceIssuer(MartenEventStore store, IssuerProfiles issuers, TaxRuleBook taxRules, ExchangeRates exchangeRates, SubjectKeys subjectKeys)
{
    private readonly StreamTails tails = new();
    private readonly VeriFactuLink chain = new(new StreamTails());

    /// <exception cref="ValidationError">the customer's tax id fails its check (<c>tax_id.*</c>).</exception>
    /// <exception cref="Domain.DomainError">the invoice is refused (<c>invoice.*</c>, <c>series.*</c>, <c>tax_rules.*</c>).</exception>
    public async Task<DocumentWritten> IssueAsync(IDocumentSession session, ICommandJournal journal, CommandContext context,
        IssueInvoiceRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(request);
        // Personal data is sealed under its subject's key: without a customer id there is no subject to erase it for.
        if (request.Personal is not null && request.CustomerId is null)
            throw new ValidationError("validation.required", "The recipient's name or address needs a customer id: the data subject they are kept for.",
                new Dictionary<string, string[]> { ["customer.customer_id"] = ["is required when customer.name or customer.address is given"] });
        // The settings first, each read on a connection of its own and given back, before the command's transaction.
        var taxId = request.CustomerTaxId?.Check("customer.tax_id");
        var issuer = await issuers.ForAsync(context.TenantId, ct).ConfigureAwait(false);
        var series = request.Series ?? issuer.InvoiceSeries;
        var issueDate = issuer.DateOf(context.Now);
        var rules = await taxRules.InForceAsync(context.TenantId, issueDate, ct).ConfigureAwait(false);
        var rate = request.ExchangeRate;
        if (rate is null && request.Currency != issuer.FunctionalCurrency)
            rate = await exchangeRates.RateAsync(context.TenantId, request.Currency, issuer.FunctionalCurrency, issueDate, ct).ConfigureAwait(false);

        IssueInvoice Command(InvoiceNumber number) => new(request.InvoiceId, number, issueDate, request.OrderId,
            new InvoiceCustomer(request.CustomerId, taxId), request.Personal, request.Currency, request.Lines, rules,
            issuer.FunctionalCurrency, rate, context.Now, context.Actor);

        var invoiceStream = InvoiceStreams.Invoice(request.InvoiceId);
        var seriesStream = InvoiceStreams.InvoiceSeries(series);
        await journal.BeginAsync(session, context, invoiceStream, ct).ConfigureAwait(false);
        await FiscalLock.TakeAsync(session, ct).ConfigureAwait(false);
        var read = FiscalStreamReaders.In(session, store);
        var (existing, existingVersion) = await new FiscalDocuments(read).FoldInvoiceAsync(context.TenantId, request.InvoiceId, ct).ConfigureAwait(false);
        if (existing is Invoice.Issued issued)
        {
            // Decided again with the number it has: a repeat changes nothing, anything else is refused.
            InvoiceDecider.Decide(Command(issued.Facts.Number), existing);
            return new DocumentWritten(request.InvoiceId, issued.Facts.Number, invoiceStream, existingVersion, null);
        }

        var (lastNumber, seriesVersion) = await tails.ReadAsync(read, context.TenantId, seriesStream, ct).ConfigureAwait(false);
        var seriesState = lastNumber is null ? InvoiceNumberingSeries.Initial
            : InvoiceNumberingSeries.Evolve(InvoiceNumberingSeries.Initial, NumberingEventCodec.Decode(lastNumber));
        var assigned = InvoiceNumberingSeries.Decide(new AssignNumber(series, request.InvoiceId, context.Now, context.Actor), seriesState).Single();
        var invoice = (InvoiceIssued)InvoiceDecider.Decide(Command(assigned.Number), existing).Single();
        // Taken in this transaction, under the fiscal lock: the recipient's data commits under a key no erasure destroys meanwhile.
        var recipientKey = invoice.Personal is null ? null
            : await subjectKeys.ForSealingAsync(session.Connection!, context.TenantId, request.CustomerId!, ct).ConfigureAwait(false);

        var appends = new List<StreamAppend>
        {
            new(invoiceStream, ExpectedVersion.NoStream, [FiscalEvents.ToAppend(InvoiceEventCodec.Encode(invoice, recipientKey), context)]),
            new(seriesStream, ExpectedVersion.Exactly(seriesVersion), [FiscalEvents.ToAppend(NumberingEventCodec.Encode(assigned), context)]),
        };
        if (issuer is { VeriFactu: true, TaxId: { } issuerTaxId })
            appends.Add(await chain.NextAsync(read, context, record => VeriFactuChain.For(record, issuerTaxId.Value, invoice.Facts, issuer.Zone), ct)
                .ConfigureAwait(false));

        // The stamping shard on Marten's daemon queues the invoice once this commits (StampingSubscription).
        var append = store.Stage(session, appends);
        await journal.RecordAcceptedAsync(session, context, invoiceStream, FiscalEvents.Written(appends), ct).ConfigureAwait(false);
        return new DocumentWritten(request.InvoiceId, assigned.Number, invoiceStream, 1, append);
    }
}

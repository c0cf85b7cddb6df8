using Ledger.Application.Invoicing.Events;
using Ledger.Application.Invoicing.Settings;
using Ledger.Application.Invoicing.VeriFactu;
using Ledger.Domain.Invoicing;
using Ledger.EventStore;

namespace Ledger.Application.Invoicing;

/// <summary>
/// Issues invoices. The number is taken in the same append as the invoice: the invoice stream must not exist yet,
/// the series stream must still be at the version read (its last number), and — for a VERI*FACTU issuer — the chain
/// must still end with the record read. If any of them moved, nothing was written and the issue is decided again
/// against what moved it; a refused issue appends nothing, so no number is ever lost or given twice. Inside a write
/// request the append joins the request's transaction (with its audit entry), through the store the Host gives.
/// </summary>
public sealed class InvoiceIssuer(
    IEventStore store,
    IssuerProfiles issuers,
    TaxRuleBook taxRules,
    ExchangeRates exchangeRates)
{
    /// <summary>Attempts before a conflict is given up (409): each lost race means another document took a number.</summary>
    public const int MaxAttempts = 30;

    private readonly FiscalDocuments documents = new(store);
    private readonly StreamTails tails = new(store);
    private readonly SeriesGates gates = new();
    private readonly VeriFactuLink chain = new(new StreamTails(store));

    /// <exception cref="ValidationError">the customer's tax id fails its check (<c>tax_id.*</c>).</exception>
    /// <exception cref="Domain.DomainError">the invoice is refused (<c>invoice.*</c>, <c>series.*</c>, <c>tax_rules.*</c>).</exception>
    /// <exception cref="ConcurrencyException">lost the race for a number <see cref="MaxAttempts"/> times.</exception>
    public async Task<DocumentWritten> IssueAsync(CommandContext context, IssueInvoiceRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(request);
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

        var seriesStream = InvoiceStreams.InvoiceSeries(series);
        using var gate = await gates.EnterAsync(context.TenantId, seriesStream, ct).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            var invoiceStream = InvoiceStreams.Invoice(request.InvoiceId);
            var (existing, existingVersion) = await documents.FoldInvoiceAsync(context.TenantId, request.InvoiceId, ct).ConfigureAwait(false);
            if (existing is Invoice.Issued issued)
            {
                // Decided again with the number it has: a repeat changes nothing, anything else is refused.
                InvoiceDecider.Decide(Command(issued.Facts.Number), existing);
                return new DocumentWritten(request.InvoiceId, issued.Facts.Number, new CommandResult(invoiceStream, existingVersion, null, 0));
            }

            var (lastNumber, seriesVersion) = await tails.ReadAsync(context.TenantId, seriesStream, ct).ConfigureAwait(false);
            var seriesState = lastNumber is null ? InvoiceNumberingSeries.Initial
                : InvoiceNumberingSeries.Evolve(InvoiceNumberingSeries.Initial, NumberingEventCodec.Decode(lastNumber));
            var assigned = InvoiceNumberingSeries.Decide(new AssignNumber(series, request.InvoiceId, context.Now, context.Actor), seriesState).Single();
            var invoice = (InvoiceIssued)InvoiceDecider.Decide(Command(assigned.Number), existing).Single();

            var appends = new List<StreamAppend>
            {
                new(invoiceStream, ExpectedVersion.NoStream, [FiscalEvents.ToAppend(InvoiceEventCodec.Encode(invoice), context)]),
                new(seriesStream, ExpectedVersion.Exactly(seriesVersion), [FiscalEvents.ToAppend(NumberingEventCodec.Encode(assigned), context)]),
            };
            if (issuer is { VeriFactu: true, TaxId: { } issuerTaxId })
                appends.Add(await chain.NextAsync(context, record => VeriFactuChain.For(record, issuerTaxId.Value, invoice.Facts, issuer.Zone), ct).ConfigureAwait(false));

            try
            {
                // The stamping shard on Marten's daemon queues the invoice once this commits (StampingSubscription).
                var result = await store.AppendAsync(context.TenantId, appends, ct).ConfigureAwait(false);
                return new DocumentWritten(request.InvoiceId, assigned.Number, new CommandResult(invoiceStream, 1, result.LastPosition, 1));
            }
            catch (ConcurrencyException) when (attempt < MaxAttempts)
            {
                // Another document took the number (or the chain's next place) first: decide again.
                await Task.Delay(Random.Shared.Next(0, Math.Min(attempt * 2, 20)), ct).ConfigureAwait(false);
            }
        }
    }
}

using Ledger.Domain.Money;

namespace Ledger.Domain.Invoicing;

/// <summary>
/// How a credit note takes amounts off an invoice (docs/invoicing.md, "Credit notes"). Each credited line is priced
/// like the invoice line (same unit price, discount and rate) and rounded the same way; the credit note that leaves
/// nothing to credit takes exactly what remains — per line and per rate, in both currencies — so the credits of an
/// invoice always add up to it to the cent, whatever the rounding of the partial ones. Any other credit that would
/// take more than remains of a line or a rate is refused. The invoice stream's version guards all of it: two credit
/// notes decided against the same version cannot both be appended.
/// </summary>
internal static class InvoiceCrediting
{
    public static InvoiceCredited Credit(CreditInvoice credit, Invoice.Issued invoice)
    {
        if (string.IsNullOrWhiteSpace(credit.Reason))
            throw Refuse(InvoiceErrors.CreditNoteReasonRequired, credit, "cannot be credited without a reason");
        if (invoice.FullyCredited)
            throw Refuse(InvoiceErrors.FullyCredited, credit, "is already credited in full");

        var facts = invoice.Facts;
        var credits = invoice.Credits;
        var currency = Known(facts.Currency);
        var functional = Known(facts.FunctionalCurrency);
        var requested = Requested(credit, invoice);
        var completes = facts.Lines.All(l =>
            credits.CreditedQuantities[l.Number - 1] + requested.GetValueOrDefault(l.Number) >= l.Quantity);

        var lines = requested.OrderBy(r => r.Key).Select(r =>
        {
            var line = facts.Lines[r.Key - 1];
            var remainingBase = line.Base - credits.CreditedBases[r.Key - 1];
            var lineCompletes = credits.CreditedQuantities[r.Key - 1] + r.Value >= line.Quantity;
            var lineBase = lineCompletes ? remainingBase : InvoicePricing.LineBase(r.Value, line.UnitPrice, line.DiscountPercent, currency);
            if (lineBase > remainingBase)
                throw Refuse(InvoiceErrors.CreditExceedsTotal, credit, $"would be credited more than remains of line {r.Key}");
            return new CreditedLineAmount(r.Key, r.Value, lineBase);
        }).ToArray();

        var remaining = Remaining(facts.ByRate, credits.CreditedByRate);
        var byRate = completes
            ? remaining.Where(r => r.Base != 0 || r.Tax != 0 || r.FunctionalBase != 0 || r.FunctionalTax != 0).ToArray()
            : InvoicePricing.ByRate(lines.Select(l => (facts.Lines[l.LineNumber - 1].TaxRate, facts.Lines[l.LineNumber - 1].TaxExempt, l.Base)),
                currency, functional, facts.ExchangeRate);
        if (!completes)
            foreach (var amounts in byRate)
            {
                var left = remaining.Single(r => r.Key == amounts.Key);
                if (amounts.Base > left.Base || amounts.Tax > left.Tax || amounts.FunctionalBase > left.FunctionalBase || amounts.FunctionalTax > left.FunctionalTax)
                    throw Refuse(InvoiceErrors.CreditExceedsTotal, credit,
                        $"would be credited more than remains at {amounts.Rate} %: credit the remaining lines together instead");
            }

        return new InvoiceCredited(credit.InvoiceId, credit.CreditNoteId, credit.CreditNoteNumber, lines, byRate, DocumentTotals.Of(byRate),
            completes, Cancellation: completes && !credits.Any, credit.Reason, credit.Now);
    }

    public static InvoiceCredits Apply(InvoiceCredits credits, InvoiceCredited credited)
    {
        var quantities = credits.CreditedQuantities.ToArray();
        var bases = credits.CreditedBases.ToArray();
        foreach (var line in credited.Lines.Where(l => l.LineNumber >= 1 && l.LineNumber <= quantities.Length))
        {
            quantities[line.LineNumber - 1] += line.Quantity;
            bases[line.LineNumber - 1] += line.Base;
        }
        var byRate = credits.CreditedByRate.Concat(credited.ByRate)
            .GroupBy(r => r.Key)
            .Select(g => new RateAmounts(g.Key.Rate, g.Key.Exempt, g.Sum(r => r.Base), g.Sum(r => r.Tax), g.Sum(r => r.FunctionalBase), g.Sum(r => r.FunctionalTax)))
            .ToArray();
        return new InvoiceCredits(quantities, bases, byRate, [.. credits.CreditNoteIds, credited.CreditNoteId]);
    }

    /// <summary>Line number → quantity to credit: the lines asked for, checked, or every line's remainder.</summary>
    private static Dictionary<int, decimal> Requested(CreditInvoice credit, Invoice.Issued invoice)
    {
        var facts = invoice.Facts;
        var credited = invoice.Credits.CreditedQuantities;
        if (credit.Lines is null || credit.Lines.Count == 0)
            return facts.Lines.Where(l => credited[l.Number - 1] < l.Quantity)
                .ToDictionary(l => l.Number, l => l.Quantity - credited[l.Number - 1]);

        var requested = new Dictionary<int, decimal>();
        foreach (var line in credit.Lines)
        {
            if (line is null || line.LineNumber < 1 || line.LineNumber > facts.Lines.Count)
                throw Refuse(InvoiceErrors.CreditNoteUnknownLine, credit, $"has no line {line?.LineNumber}");
            if (line.Quantity <= 0 || InvoicePricing.Decimals(line.Quantity) > InvoicePricing.MaxQuantityDecimals)
                throw Refuse(InvoiceErrors.CreditNoteInvalidQuantity, credit, $"cannot be credited {line.Quantity} of line {line.LineNumber}");
            if (!requested.TryAdd(line.LineNumber, line.Quantity))
                throw Refuse(InvoiceErrors.CreditNoteDuplicateLine, credit, $"is asked to credit line {line.LineNumber} twice in one credit note");
            var left = facts.Lines[line.LineNumber - 1].Quantity - credited[line.LineNumber - 1];
            if (line.Quantity > left)
                throw Refuse(InvoiceErrors.CreditNoteQuantityExceedsInvoiced, credit,
                    $"has {left} left to credit of line {line.LineNumber}, not {line.Quantity}");
        }
        return requested;
    }

    private static RateAmounts[] Remaining(IReadOnlyList<RateAmounts> issued, IReadOnlyList<RateAmounts> credited) =>
        issued.Select(r => credited.FirstOrDefault(c => c.Key == r.Key) is { } c
                ? new RateAmounts(r.Rate, r.Exempt, r.Base - c.Base, r.Tax - c.Tax, r.FunctionalBase - c.FunctionalBase, r.FunctionalTax - c.FunctionalTax)
                : r)
            .ToArray();

    private static Currency Known(string code) =>
        Currency.TryGet(code, out var currency) ? currency : throw new InvalidOperationException($"Recorded currency '{code}' is unknown.");

    private static DomainError Refuse(string code, CreditInvoice credit, string what) => InvoiceDecider.Refuse(code, credit, what);
}

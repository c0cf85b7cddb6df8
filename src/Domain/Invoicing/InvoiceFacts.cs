namespace Ledger.Domain.Invoicing;

/// <summary>
/// What an invoice is, fixed at issue: number, date, customer, lines, the tax rules version and rates it used, the
/// currency and the exchange rate to the tenant's functional currency, and its amounts in both currencies.
/// <paramref name="IssueDate"/> is the date of issue in the issuer's time zone (the date printed and declared).
/// </summary>
public sealed record InvoiceFacts(
    Guid InvoiceId,
    InvoiceNumber Number,
    DateTimeOffset IssuedAt,
    DateOnly IssueDate,
    Guid? OrderId,
    InvoiceCustomer Customer,
    string Currency,
    string FunctionalCurrency,
    decimal ExchangeRate,
    int TaxRuleVersion,
    IReadOnlyList<PricedLine> Lines,
    IReadOnlyList<RateAmounts> ByRate,
    DocumentTotals Totals);

/// <summary>
/// What has been credited of an invoice so far: per line (indexed by line number − 1) the quantity and the base;
/// per rate, the amounts; and the credit notes, in order.
/// </summary>
public sealed record InvoiceCredits(
    IReadOnlyList<decimal> CreditedQuantities,
    IReadOnlyList<decimal> CreditedBases,
    IReadOnlyList<RateAmounts> CreditedByRate,
    IReadOnlyList<Guid> CreditNoteIds)
{
    public static InvoiceCredits None(int lines) => new(new decimal[lines], new decimal[lines], [], []);

    public DocumentTotals Totals => DocumentTotals.Of(CreditedByRate);

    public bool Any => CreditNoteIds.Count > 0;
}

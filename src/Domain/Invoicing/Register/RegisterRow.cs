using System.Globalization;

namespace Ledger.Domain.Invoicing.Register;

/// <summary>
/// One row of the register of issued invoices (libro registro de facturas emitidas): an invoice, or a credit note
/// with its amounts negated, so that summing rows gives what was invoiced net of credits. The period is the month
/// of the issue date (<c>2026-03</c>), the unit in which tax returns are filed.
/// </summary>
public sealed record RegisterRow(
    Guid DocumentId,
    string Kind,
    string Series,
    long Sequence,
    string Number,
    DateOnly IssueDate,
    string Period,
    string? CustomerId,
    string? CustomerTaxId,
    string Currency,
    string FunctionalCurrency,
    decimal ExchangeRate,
    IReadOnlyList<RateAmounts> ByRate,
    DocumentTotals Totals,
    Guid? CorrectedInvoiceId)
{
    public const string InvoiceKind = "invoice";
    public const string CreditNoteKind = "credit_note";

    public static string PeriodOf(DateOnly date) => date.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public static RegisterRow For(InvoiceIssued issued)
    {
        ArgumentNullException.ThrowIfNull(issued);
        var f = issued.Facts;
        return new RegisterRow(f.InvoiceId, InvoiceKind, f.Number.Series, f.Number.Sequence, f.Number.Text, f.IssueDate, PeriodOf(f.IssueDate),
            f.Customer.CustomerId, f.Customer.TaxId?.Value, f.Currency, f.FunctionalCurrency, f.ExchangeRate, f.ByRate, f.Totals, null);
    }

    public static RegisterRow For(CreditNoteIssued issued)
    {
        ArgumentNullException.ThrowIfNull(issued);
        var f = issued.Facts;
        var byRate = f.ByRate.Select(r => new RateAmounts(r.Rate, r.Exempt, -r.Base, -r.Tax, -r.FunctionalBase, -r.FunctionalTax)).ToArray();
        return new RegisterRow(f.CreditNoteId, CreditNoteKind, f.Number.Series, f.Number.Sequence, f.Number.Text, f.IssueDate, PeriodOf(f.IssueDate),
            f.Customer.CustomerId, f.Customer.TaxId?.Value, f.Currency, f.FunctionalCurrency, f.ExchangeRate, byRate, DocumentTotals.Of(byRate), f.InvoiceId);
    }
}

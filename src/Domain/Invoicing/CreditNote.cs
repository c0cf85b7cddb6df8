namespace Ledger.Domain.Invoicing;

/// <summary>
/// A credit note (factura rectificativa): its own number in a credit-note series, the invoice it credits, and what it
/// credits, in the invoice's currency at the invoice's exchange rate. Amounts are positive: what is taken off.
/// </summary>
public sealed record CreditNoteFacts(
    Guid CreditNoteId,
    InvoiceNumber Number,
    DateTimeOffset IssuedAt,
    DateOnly IssueDate,
    Guid InvoiceId,
    InvoiceNumber InvoiceNumber,
    DateOnly InvoiceIssueDate,
    InvoiceCustomer Customer,
    string Currency,
    string FunctionalCurrency,
    decimal ExchangeRate,
    IReadOnlyList<CreditNoteLine> Lines,
    IReadOnlyList<RateAmounts> ByRate,
    DocumentTotals Totals,
    bool Cancellation,
    string Reason);

/// <summary>A credited quantity of one invoice line, with the line's terms and the credited base.</summary>
public sealed record CreditNoteLine(
    int InvoiceLineNumber,
    string Description,
    decimal Quantity,
    decimal UnitPrice,
    decimal DiscountPercent,
    string TaxCategory,
    decimal TaxRate,
    bool TaxExempt,
    decimal Base);

public abstract record CreditNote
{
    private CreditNote()
    {
    }

    public sealed record None : CreditNote;

    public sealed record Issued(CreditNoteFacts Facts) : CreditNote;
}

/// <summary>
/// Issues the credit note for what the invoice recorded as credited (<paramref name="Credit"/>): the invoice decides
/// the amounts, because it holds what remains to credit; the credit note is the document that states them.
/// </summary>
public sealed record IssueCreditNote(
    Guid CreditNoteId,
    DateOnly IssueDate,
    InvoiceFacts Invoice,
    InvoiceCredited Credit,
    DateTimeOffset Now,
    string Actor);

public sealed record CreditNoteIssued(CreditNoteFacts Facts);

public static class CreditNoteDecider
{
    public static CreditNote Initial { get; } = new CreditNote.None();

    public static CreditNoteIssued[] Decide(IssueCreditNote command, CreditNote state)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(state);
        return state switch
        {
            CreditNote.None => [Issue(command)],
            CreditNote.Issued s when s.Facts.InvoiceId == command.Invoice.InvoiceId => [],
            _ => throw AlreadyExists(command.CreditNoteId),
        };
    }

    /// <summary>
    /// Before an invoice is credited by <paramref name="creditNoteId"/>: true when that credit note already exists for
    /// this invoice (a repeated request: nothing to do), a refusal when it exists for another, false when it is new.
    /// </summary>
    public static bool AlreadyIssuedFor(Guid creditNoteId, Guid invoiceId, CreditNote state) => state switch
    {
        CreditNote.None => false,
        CreditNote.Issued s when s.Facts.InvoiceId == invoiceId => true,
        _ => throw AlreadyExists(creditNoteId),
    };

    public static CreditNote Evolve(CreditNote state, CreditNoteIssued e)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(e);
        return state is CreditNote.None ? new CreditNote.Issued(e.Facts) : state;
    }

    private static CreditNoteIssued Issue(IssueCreditNote command)
    {
        var invoice = command.Invoice;
        var credit = command.Credit;
        var lines = credit.Lines.Select(l =>
        {
            var line = invoice.Lines[l.LineNumber - 1];
            return new CreditNoteLine(l.LineNumber, line.Description, l.Quantity, line.UnitPrice, line.DiscountPercent,
                line.TaxCategory, line.TaxRate, line.TaxExempt, l.Base);
        }).ToArray();
        return new CreditNoteIssued(new CreditNoteFacts(
            command.CreditNoteId, credit.CreditNoteNumber, command.Now, command.IssueDate, invoice.InvoiceId, invoice.Number,
            invoice.IssueDate, invoice.Customer, invoice.Currency, invoice.FunctionalCurrency, invoice.ExchangeRate, lines,
            credit.ByRate, credit.Totals, credit.Cancellation, credit.Reason));
    }

    private static DomainError AlreadyExists(Guid creditNoteId) =>
        InvoiceErrors.Refuse(InvoiceErrors.CreditNoteAlreadyExists, $"Credit note {creditNoteId} already exists for another invoice.");
}

namespace Ledger.Domain.Invoicing;

/// <summary>
/// Why an invoice, a credit note or a numbering series refuses a command. The codes are part of Ledger's public
/// contract (problem details carry them) and are never renamed.
/// </summary>
public static class InvoiceErrors
{
    public const string NotFound = "invoice.not_found";
    public const string AlreadyExists = "invoice.already_exists";
    public const string NoLines = "invoice.no_lines";
    public const string TooManyLines = "invoice.too_many_lines";
    public const string DescriptionRequired = "invoice.description_required";
    public const string InvalidQuantity = "invoice.invalid_quantity";
    public const string InvalidUnitPrice = "invoice.invalid_unit_price";
    public const string InvalidDiscount = "invoice.invalid_discount";
    public const string UnknownTaxCategory = "invoice.unknown_tax_category";
    public const string UnknownCurrency = "invoice.unknown_currency";
    public const string ExchangeRateRequired = "invoice.exchange_rate_required";
    public const string InvalidExchangeRate = "invoice.invalid_exchange_rate";
    public const string AmountOutOfRange = "invoice.amount_out_of_range";
    public const string AlreadyStamped = "invoice.already_stamped";
    public const string StampRejected = "invoice.stamp_rejected";
    public const string FullyCredited = "invoice.fully_credited";
    public const string CreditExceedsTotal = "invoice.credit_exceeds_total";
    public const string CreditNoteAlreadyExists = "credit_note.already_exists";
    public const string CreditNoteUnknownLine = "credit_note.unknown_line";
    public const string CreditNoteDuplicateLine = "credit_note.duplicate_line";
    public const string CreditNoteInvalidQuantity = "credit_note.invalid_quantity";
    public const string CreditNoteQuantityExceedsInvoiced = "credit_note.quantity_exceeds_invoiced";
    public const string CreditNoteReasonRequired = "credit_note.reason_required";
    public const string InvalidSeries = "series.invalid_code";

    /// <summary>Every code above, for tests and for documentation of the API.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        NotFound, AlreadyExists, NoLines, TooManyLines, DescriptionRequired, InvalidQuantity, InvalidUnitPrice, InvalidDiscount,
        UnknownTaxCategory, UnknownCurrency, ExchangeRateRequired, InvalidExchangeRate, AmountOutOfRange, AlreadyStamped, StampRejected,
        FullyCredited, CreditExceedsTotal, CreditNoteAlreadyExists, CreditNoteUnknownLine, CreditNoteDuplicateLine,
        CreditNoteInvalidQuantity, CreditNoteQuantityExceedsInvoiced, CreditNoteReasonRequired, InvalidSeries,
    ];

    internal static DomainError Refuse(string code, string message) => new(code, message);
}

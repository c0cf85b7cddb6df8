namespace Ledger.Domain.Invoicing;

/// <summary>Something asked of an invoice. Every command carries its time and who sent it.</summary>
public abstract record InvoiceCommand(Guid InvoiceId, DateTimeOffset Now, string Actor);

/// <summary>
/// Issues an invoice under <paramref name="Number"/>, which the numbering series assigns in the same append.
/// <paramref name="TaxRules"/> is the tenant's rules version in force on <paramref name="IssueDate"/>.
/// <paramref name="ExchangeRate"/> is how many units of the functional currency one unit of the invoice currency is
/// worth; it must be given when the currencies differ and is 1 when they do not.
/// </summary>
public sealed record IssueInvoice(
    Guid InvoiceId,
    InvoiceNumber Number,
    DateOnly IssueDate,
    Guid? OrderId,
    InvoiceCustomer Customer,
    RecipientPersonalData? Personal,
    string Currency,
    IReadOnlyList<InvoiceLine> Lines,
    TaxRuleSet TaxRules,
    string FunctionalCurrency,
    decimal? ExchangeRate,
    DateTimeOffset Now,
    string Actor) : InvoiceCommand(InvoiceId, Now, Actor);

/// <summary>Records the fiscal authority's stamp.</summary>
public sealed record RecordStamp(Guid InvoiceId, AuthorityStamp Stamp, DateTimeOffset Now, string Actor) : InvoiceCommand(InvoiceId, Now, Actor);

/// <summary>Records a provisional seal because the authority could not stamp within the deadline.</summary>
public sealed record RecordContingencyStamp(Guid InvoiceId, ContingencySeal Seal, string Reason, DateTimeOffset Now, string Actor)
    : InvoiceCommand(InvoiceId, Now, Actor);

/// <summary>Records that the authority refused the invoice for good, with its code and reason.</summary>
public sealed record RecordStampRejection(Guid InvoiceId, string Code, string Reason, DateTimeOffset Now, string Actor)
    : InvoiceCommand(InvoiceId, Now, Actor);

/// <summary>
/// Credits part or all of the invoice by credit note <paramref name="CreditNoteId"/> numbered
/// <paramref name="CreditNoteNumber"/>. <paramref name="Lines"/> says how much of which lines; null or empty credits
/// everything not yet credited (a cancellation when nothing was credited before).
/// </summary>
public sealed record CreditInvoice(
    Guid InvoiceId,
    Guid CreditNoteId,
    InvoiceNumber CreditNoteNumber,
    IReadOnlyList<CreditedLine>? Lines,
    string Reason,
    DateTimeOffset Now,
    string Actor) : InvoiceCommand(InvoiceId, Now, Actor);

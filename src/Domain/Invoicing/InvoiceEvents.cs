namespace Ledger.Domain.Invoicing;

/// <summary>A fact about an invoice, as recorded in its stream.</summary>
public abstract record InvoiceEvent(Guid InvoiceId);

/// <summary>The invoice was issued. <paramref name="Personal"/> is the only personal data in it.</summary>
public sealed record InvoiceIssued(InvoiceFacts Facts, RecipientPersonalData? Personal) : InvoiceEvent(Facts.InvoiceId);

/// <summary>The authority stamped the invoice; <paramref name="Reconciled"/> when it had a contingency seal first.</summary>
public sealed record InvoiceStamped(Guid InvoiceId, AuthorityStamp Stamp, bool Reconciled, DateTimeOffset RecordedAt) : InvoiceEvent(InvoiceId);

/// <summary>Ledger sealed the invoice provisionally because the authority did not stamp it in time.</summary>
public sealed record InvoiceContingencyStamped(Guid InvoiceId, ContingencySeal Seal, string Reason) : InvoiceEvent(InvoiceId);

/// <summary>The authority refused the invoice for good.</summary>
public sealed record InvoiceStampRejected(Guid InvoiceId, string Code, string Reason, DateTimeOffset RejectedAt) : InvoiceEvent(InvoiceId);

/// <summary>
/// A credit note credited part or all of the invoice. Amounts are positive: what is taken off. <paramref name="Completes"/>
/// when nothing of the invoice remains to credit afterwards; <paramref name="Cancellation"/> when this one credit note
/// cancels the whole invoice (nothing was credited before).
/// </summary>
public sealed record InvoiceCredited(
    Guid InvoiceId,
    Guid CreditNoteId,
    InvoiceNumber CreditNoteNumber,
    IReadOnlyList<CreditedLineAmount> Lines,
    IReadOnlyList<RateAmounts> ByRate,
    DocumentTotals Totals,
    bool Completes,
    bool Cancellation,
    string Reason,
    DateTimeOffset CreditedAt) : InvoiceEvent(InvoiceId);

/// <summary>One credited line: which invoice line, how many units, and the base that is.</summary>
public sealed record CreditedLineAmount(int LineNumber, decimal Quantity, decimal Base);

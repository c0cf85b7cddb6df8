namespace Ledger.Application.Invoicing.VeriFactu;

/// <summary>
/// One record of a tenant's VERI*FACTU chain: a registration (registro de alta) of an invoice or credit note, or the
/// cancellation (registro de anulación) of an invoice. The text fields are exactly the values hashed into
/// <see cref="Fingerprint"/>, so anyone can recompute it from this record alone (<see cref="FingerprintInput"/>).
/// <see cref="Sequence"/> is the record's place in the chain, from 1.
/// </summary>
public sealed record VeriFactuRecord(
    long Sequence,
    string Kind,
    Guid DocumentId,
    Guid InvoiceId,
    string IssuerId,
    string InvoiceNumber,
    string IssueDate,
    string? InvoiceType,
    string? TotalTax,
    string? TotalAmount,
    string PreviousFingerprint,
    string GeneratedAt,
    string Fingerprint)
{
    public const string Registration = "registration";
    public const string Cancellation = "cancellation";

    /// <summary>Invoice with the recipient identified (factura completa).</summary>
    public const string FullInvoice = "F1";

    /// <summary>Simplified invoice (ticket), no recipient tax id.</summary>
    public const string SimplifiedInvoice = "F2";

    /// <summary>Credit note correcting an F1 invoice (rectificativa, art. 80 LIVA), by differences.</summary>
    public const string CorrectingInvoice = "R1";

    /// <summary>Credit note correcting a simplified invoice.</summary>
    public const string CorrectingSimplifiedInvoice = "R5";

    public string FingerprintInput => Kind == Registration
        ? VeriFactuFingerprint.RegistrationInput(IssuerId, InvoiceNumber, IssueDate, InvoiceType ?? "", TotalTax ?? "", TotalAmount ?? "",
            PreviousFingerprint, GeneratedAt)
        : VeriFactuFingerprint.CancellationInput(IssuerId, InvoiceNumber, IssueDate, PreviousFingerprint, GeneratedAt);

    /// <summary>Whether <see cref="Fingerprint"/> is the hash of this record's own fields.</summary>
    public bool IsIntact => VeriFactuFingerprint.Of(FingerprintInput) == Fingerprint;
}

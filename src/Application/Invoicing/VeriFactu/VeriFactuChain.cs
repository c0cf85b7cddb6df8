using Ledger.Domain.Invoicing;

namespace Ledger.Application.Invoicing.VeriFactu;

/// <summary>
/// Makes the next record of a tenant's chain. The chain is one stream per tenant (<see cref="InvoiceStreams.VeriFactu"/>);
/// a record is appended with the stream's version expected, in the same append as the document it records, so
/// each record chains to the one before it even when documents are issued concurrently.
/// Amounts are the functional (euro) amounts: VERI*FACTU records are declared in euros.
/// </summary>
public static class VeriFactuChain
{
    public static VeriFactuRecord Registration(
        VeriFactuRecord? previous, Guid documentId, Guid invoiceId, string issuerId, InvoiceNumber number, DateOnly issueDate,
        string invoiceType, decimal totalTax, decimal totalAmount, DateTimeOffset generatedAt, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(number);
        var record = new VeriFactuRecord((previous?.Sequence ?? 0) + 1, VeriFactuRecord.Registration, documentId, invoiceId, issuerId,
            number.Text, VeriFactuFingerprint.Date(issueDate), invoiceType, VeriFactuFingerprint.Amount(totalTax),
            VeriFactuFingerprint.Amount(totalAmount), previous?.Fingerprint ?? "", VeriFactuFingerprint.Timestamp(generatedAt, zone), "");
        return record with { Fingerprint = VeriFactuFingerprint.Of(record.FingerprintInput) };
    }

    public static VeriFactuRecord Cancellation(
        VeriFactuRecord? previous, Guid documentId, Guid invoiceId, string issuerId, InvoiceNumber number, DateOnly issueDate,
        DateTimeOffset generatedAt, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(number);
        var record = new VeriFactuRecord((previous?.Sequence ?? 0) + 1, VeriFactuRecord.Cancellation, documentId, invoiceId, issuerId,
            number.Text, VeriFactuFingerprint.Date(issueDate), null, null, null, previous?.Fingerprint ?? "",
            VeriFactuFingerprint.Timestamp(generatedAt, zone), "");
        return record with { Fingerprint = VeriFactuFingerprint.Of(record.FingerprintInput) };
    }

    /// <summary>The record for an issued invoice: F1 with a recipient tax id, F2 without.</summary>
    public static VeriFactuRecord For(VeriFactuRecord? previous, string issuerId, InvoiceFacts invoice, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var type = invoice.Customer.TaxId is null ? VeriFactuRecord.SimplifiedInvoice : VeriFactuRecord.FullInvoice;
        return Registration(previous, invoice.InvoiceId, invoice.InvoiceId, issuerId, invoice.Number, invoice.IssueDate, type,
            invoice.Totals.FunctionalTax, invoice.Totals.FunctionalTotal, invoice.IssuedAt, zone);
    }

    /// <summary>
    /// The record for a credit note: the cancellation of the invoice when the note cancels it whole at once, else the
    /// registration of the note as a correcting invoice by differences (R1, or R5 for a simplified one), with negative amounts.
    /// </summary>
    public static VeriFactuRecord For(VeriFactuRecord? previous, string issuerId, CreditNoteFacts note, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(note);
        if (note.Cancellation)
            return Cancellation(previous, note.CreditNoteId, note.InvoiceId, issuerId, note.InvoiceNumber, note.InvoiceIssueDate, note.IssuedAt, zone);
        var type = note.Customer.TaxId is null ? VeriFactuRecord.CorrectingSimplifiedInvoice : VeriFactuRecord.CorrectingInvoice;
        return Registration(previous, note.CreditNoteId, note.InvoiceId, issuerId, note.Number, note.IssueDate, type,
            -note.Totals.FunctionalTax, -note.Totals.FunctionalTotal, note.IssuedAt, zone);
    }
}

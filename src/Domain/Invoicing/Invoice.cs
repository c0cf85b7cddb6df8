namespace Ledger.Domain.Invoicing;

/// <summary>
/// An invoice: none yet, or issued. An issued invoice is never deleted; the authority's answer and the credit notes
/// against it are recorded on it. The hierarchy is closed (private constructor), so a switch over it is complete.
/// </summary>
public abstract record Invoice
{
    private Invoice()
    {
    }

    /// <summary>The stream does not exist yet.</summary>
    public sealed record None : Invoice;

    public sealed record Issued(InvoiceFacts Facts, InvoiceStamping Stamping, InvoiceCredits Credits) : Invoice
    {
        /// <summary>Every line credited in full: the invoice is cancelled by its credit notes.</summary>
        public bool FullyCredited => Facts.Lines.All(l => Credits.CreditedQuantities[l.Number - 1] >= l.Quantity);

        /// <summary>
        /// The register's status: <c>credited</c> once fully credited, else the stamp status (<c>issued</c>,
        /// <c>stamped</c>, <c>contingency</c>, <c>rejected</c>).
        /// </summary>
        public string Status => FullyCredited ? "credited" : Stamping.Status;
    }
}

using System.Security.Cryptography;
using System.Text;

namespace Ledger.Application.Invoicing;

/// <summary>Where fiscal events live, within a tenant: one stream per document, per numbering series, and one VERI*FACTU chain.</summary>
public static class InvoiceStreams
{
    public const string VeriFactu = "verifactu-records";

    public static string Invoice(Guid invoiceId) => $"invoice-{invoiceId:D}";

    /// <summary>The invoice id an invoice stream (<see cref="Invoice"/>) is named after.</summary>
    /// <exception cref="FormatException">not an invoice stream.</exception>
    public static Guid InvoiceIdOf(string stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        const string prefix = "invoice-";
        if (!stream.StartsWith(prefix, StringComparison.Ordinal) || !Guid.TryParseExact(stream.AsSpan(prefix.Length), "D", out var id))
            throw new FormatException($"'{stream}' is not an invoice stream.");
        return id;
    }

    public static string CreditNote(Guid creditNoteId) => $"credit-note-{creditNoteId:D}";

    /// <summary>Invoice and credit-note series are numbered apart even when their codes are alike.</summary>
    public static string InvoiceSeries(string series) => $"invoice-series-{series}";

    public static string CreditNoteSeries(string series) => $"credit-note-series-{series}";

    /// <summary>
    /// The id of the invoice for an order, derived from the order id (a name-based UUID, RFC 9562 version 8 over
    /// SHA-256), so that issuing it twice — the order's payment seen twice — meets the existing stream instead of
    /// making a second invoice.
    /// </summary>
    public static Guid InvoiceIdForOrder(Guid orderId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"ledger.invoice-for-order:{orderId:D}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}

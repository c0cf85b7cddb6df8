namespace Ledger.Domain.Invoicing;

/// <summary>
/// The fiscal authority's stamp: its id for the document (the folio fiscal of a CFDI, the CSV of an AEAT
/// submission), its seal, and when it stamped.
/// </summary>
public sealed record AuthorityStamp(string AuthorityId, string Seal, DateTimeOffset StampedAt);

/// <summary>
/// A provisional seal Ledger signed itself because the authority could not stamp in time. <paramref name="SignedText"/>
/// is exactly what was signed; <paramref name="Signature"/> is its ECDSA P-256 SHA-256 signature (IEEE P1363, base64),
/// verifiable with <paramref name="PublicKey"/> (SubjectPublicKeyInfo, base64) whose SHA-256 prefix is <paramref name="KeyId"/>.
/// </summary>
public sealed record ContingencySeal(string KeyId, string Algorithm, string PublicKey, string SignedText, string Signature, DateTimeOffset SignedAt);

/// <summary>Where an invoice is with the fiscal authority. Closed: a switch over these cases is complete.</summary>
public abstract record InvoiceStamping
{
    private InvoiceStamping()
    {
    }

    /// <summary>The stamp status as a stable lower-case word.</summary>
    public abstract string Status { get; }

    /// <summary>Issued and waiting for the authority.</summary>
    public sealed record Pending : InvoiceStamping
    {
        public override string Status => "issued";
    }

    /// <summary>Provisionally sealed by Ledger; still to be stamped by the authority (reconciled).</summary>
    public sealed record Contingency(ContingencySeal Seal) : InvoiceStamping
    {
        public override string Status => "contingency";
    }

    /// <summary>Stamped by the authority; <paramref name="Provisional"/> is the contingency seal it had before, if any.</summary>
    public sealed record Stamped(AuthorityStamp Stamp, ContingencySeal? Provisional) : InvoiceStamping
    {
        public override string Status => "stamped";
    }

    /// <summary>Refused by the authority for good. The invoice keeps its number; a credit note cancels it.</summary>
    public sealed record Rejected(string Code, string Reason, DateTimeOffset RejectedAt, ContingencySeal? Provisional) : InvoiceStamping
    {
        public override string Status => "rejected";
    }

    /// <summary>Whether the authority still has to answer (pending or contingency).</summary>
    public bool AwaitsAuthority => this is Pending or Contingency;
}

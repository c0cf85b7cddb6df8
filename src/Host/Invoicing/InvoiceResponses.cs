using System.Globalization;
using Ledger.Application.Invoicing;
using Ledger.Application.Invoicing.VeriFactu;
using Ledger.Domain.Invoicing;

namespace Ledger.Host.Invoicing;

/// <summary>The answer to an issued invoice or credit note: its id and number, and the stream version and position.</summary>
public sealed record DocumentWrittenView(Guid Id, string Number, string Series, long Sequence, long Version, string? Position)
{
    public static DocumentWrittenView From(DocumentWritten written)
    {
        ArgumentNullException.ThrowIfNull(written);
        return new(written.DocumentId, written.Number.Text, written.Number.Series, written.Number.Sequence, written.Result.Version,
            written.Result.Position?.ToString());
    }
}

/// <summary>
/// An invoice as the API shows it. Amounts are decimal strings. <c>personal_data</c> (the recipient's name and address)
/// only for a reader allowed to see it (clerks, privacy officers); <c>erased</c> once the customer is erased.
/// </summary>
public sealed record InvoiceView(
    Guid InvoiceId,
    string Number,
    string Series,
    long Sequence,
    string Status,
    string StampStatus,
    DateOnly IssueDate,
    DateTimeOffset IssuedAt,
    Guid? OrderId,
    string? CustomerId,
    TaxIdView? CustomerTaxId,
    string Currency,
    string FunctionalCurrency,
    string ExchangeRate,
    int TaxRuleVersion,
    IReadOnlyList<InvoiceLineView> Lines,
    IReadOnlyList<RateView> TaxBreakdown,
    TotalsView Totals,
    TotalsView Credited,
    IReadOnlyList<Guid> CreditNotes,
    StampView? Stamp,
    ContingencySealView? ContingencySeal,
    RejectionView? Rejection,
    long Version,
    Privacy.PersonalDataView? PersonalData = null)
{
    public static InvoiceView From(InvoiceSnapshot snapshot, Privacy.PersonalDataView? personalData = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var s = snapshot.State;
        var f = s.Facts;
        var seal = s.Stamping switch
        {
            InvoiceStamping.Contingency c => c.Seal,
            InvoiceStamping.Stamped st => st.Provisional,
            InvoiceStamping.Rejected r => r.Provisional,
            _ => null,
        };
        return new InvoiceView(f.InvoiceId, f.Number.Text, f.Number.Series, f.Number.Sequence, s.Status, s.Stamping.Status, f.IssueDate, f.IssuedAt,
            f.OrderId, f.Customer.CustomerId, f.Customer.TaxId is { } t ? new TaxIdView(t.Country, t.Scheme, t.Value) : null,
            f.Currency, f.FunctionalCurrency, M(f.ExchangeRate), f.TaxRuleVersion,
            [.. f.Lines.Select(l => new InvoiceLineView(l.Number, l.Description, M(l.Quantity), M(l.UnitPrice), M(l.DiscountPercent), l.TaxCategory,
                M(l.TaxRate), l.TaxExempt, M(l.Base)))],
            [.. f.ByRate.Select(RateView.From)], TotalsView.From(f.Totals), TotalsView.From(s.Credits.Totals), s.Credits.CreditNoteIds,
            s.Stamping is InvoiceStamping.Stamped stamped ? new StampView(stamped.Stamp.AuthorityId, stamped.Stamp.Seal, stamped.Stamp.StampedAt) : null,
            seal is null ? null : new ContingencySealView(seal.KeyId, seal.Algorithm, seal.PublicKey, seal.SignedText, seal.Signature, seal.SignedAt),
            s.Stamping is InvoiceStamping.Rejected rejected ? new RejectionView(rejected.Code, rejected.Reason, rejected.RejectedAt) : null,
            snapshot.Version, personalData);
    }

    internal static string M(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}

public sealed record TaxIdView(string Country, string Scheme, string Value);

public sealed record InvoiceLineView(
    int Line, string Description, string Quantity, string UnitPrice, string DiscountPercent, string TaxCategory, string TaxRate, bool TaxExempt, string Base);

public sealed record RateView(string Rate, bool Exempt, string Base, string Tax, string FunctionalBase, string FunctionalTax)
{
    public static RateView From(RateAmounts r) =>
        new(InvoiceView.M(r.Rate), r.Exempt, InvoiceView.M(r.Base), InvoiceView.M(r.Tax), InvoiceView.M(r.FunctionalBase), InvoiceView.M(r.FunctionalTax));
}

public sealed record TotalsView(string Base, string Tax, string Total, string FunctionalBase, string FunctionalTax, string FunctionalTotal)
{
    public static TotalsView From(DocumentTotals t) =>
        new(InvoiceView.M(t.Base), InvoiceView.M(t.Tax), InvoiceView.M(t.Total), InvoiceView.M(t.FunctionalBase), InvoiceView.M(t.FunctionalTax),
            InvoiceView.M(t.FunctionalTotal));
}

public sealed record StampView(string AuthorityId, string Seal, DateTimeOffset StampedAt);

public sealed record ContingencySealView(string KeyId, string Algorithm, string PublicKey, string SignedText, string Signature, DateTimeOffset SignedAt);

public sealed record RejectionView(string Code, string Reason, DateTimeOffset RejectedAt);

/// <summary>A page of a tenant's VERI*FACTU chain, in chain order; <see cref="NextAfter"/> continues it.</summary>
public sealed record VeriFactuPage(IReadOnlyList<VeriFactuRecordView> Records, long? NextAfter);

/// <summary>A record with every field that its fingerprint covers, as hashed, and the exact string that was hashed.</summary>
public sealed record VeriFactuRecordView(
    long Sequence, string Kind, Guid DocumentId, Guid InvoiceId, string IssuerId, string InvoiceNumber, string IssueDate, string? InvoiceType,
    string? TotalTax, string? TotalAmount, string PreviousFingerprint, string GeneratedAt, string Fingerprint, string FingerprintInput)
{
    public static VeriFactuRecordView From(VeriFactuRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new(r.Sequence, r.Kind, r.DocumentId, r.InvoiceId, r.IssuerId, r.InvoiceNumber, r.IssueDate, r.InvoiceType, r.TotalTax,
            r.TotalAmount, r.PreviousFingerprint, r.GeneratedAt, r.Fingerprint, r.FingerprintInput);
    }
}

using Ledger.Domain.Invoicing;
using Ledger.EventStore.Privacy;
using Ledger.Domain.TaxIds;

namespace Ledger.Application.Invoicing.Events;

// Parts shared by the stored shapes of fiscal events, version 1. Like the order shapes (OrderEventData), these are a
// contract with every reader of the store and are kept apart from the domain records; money is written as decimal
// strings by LedgerJson. Tax ids and amounts are fiscal facts the law requires to be kept and stay in clear; the
// recipient's name and address are personal data and live in the separate `personal` object of an invoice.

internal sealed record TaxIdV1(string Country, string Scheme, string Value)
{
    public static TaxIdV1? From(TaxId? id) => id is null ? null : new(id.Country, id.Scheme, id.Value);
    public TaxId ToTaxId() => TaxId.Restore(Country, Scheme, Value);
}

internal sealed record CustomerV1(string? CustomerId = null, TaxIdV1? TaxId = null)
{
    public static CustomerV1 From(InvoiceCustomer c) => new(c.CustomerId, TaxIdV1.From(c.TaxId));
    public InvoiceCustomer ToCustomer() => new(CustomerId, TaxId?.ToTaxId());
}

/// <summary>The recipient's personal data in clear: only in version 1 of the issued event, written before encryption.</summary>
internal sealed record RecipientPersonalV1(string? Name = null, string? Address = null)
{
    public static RecipientPersonalV1? From(RecipientPersonalData? p) => p is null ? null : new(p.Name, p.Address);
    public RecipientPersonalData ToPersonal() => new(Name, Address);
}

/// <summary>The recipient's personal data sealed under their key, field by field (as <c>SealedPersonalV1</c> of orders).</summary>
internal sealed record SealedRecipientV1(string SubjectId, int KeyGeneration, string? Name = null, string? Address = null)
{
    public static SealedRecipientV1? Seal(RecipientPersonalData? personal, SubjectKey? key) => personal switch
    {
        null => null,
        _ when key is null => throw new ArgumentNullException(nameof(key), "Personal data is appended only sealed under its subject's key."),
        _ => new(key.SubjectId, key.Generation,
            personal.Name is { } name ? key.Seal("name", name) : null,
            personal.Address is { } address ? key.Seal("address", address) : null),
    };

    public PersonalRecord ToRecord() => new(SubjectId, KeyGeneration, PersonalFields.Of(("name", Name), ("address", Address)));
}

/// <summary>A document number: series and sequence, and the text printed on the document.</summary>
internal sealed record NumberV1(string Series, long Sequence, string Text)
{
    public static NumberV1 From(InvoiceNumber n) => new(n.Series, n.Sequence, n.Text);
    public InvoiceNumber ToNumber() => new(Series, Sequence);
}

internal sealed record RateAmountsV1(decimal Rate, bool Exempt, decimal Base, decimal Tax, decimal FunctionalBase, decimal FunctionalTax)
{
    public static RateAmountsV1 From(RateAmounts r) => new(r.Rate, r.Exempt, r.Base, r.Tax, r.FunctionalBase, r.FunctionalTax);
    public RateAmounts ToAmounts() => new(Rate, Exempt, Base, Tax, FunctionalBase, FunctionalTax);
}

internal sealed record TotalsV1(decimal Base, decimal Tax, decimal Total, decimal FunctionalBase, decimal FunctionalTax, decimal FunctionalTotal)
{
    public static TotalsV1 From(DocumentTotals t) => new(t.Base, t.Tax, t.Total, t.FunctionalBase, t.FunctionalTax, t.FunctionalTotal);
    public DocumentTotals ToTotals() => new(Base, Tax, Total, FunctionalBase, FunctionalTax, FunctionalTotal);
}

internal sealed record PricedLineV1(
    int Number, string Description, decimal Quantity, decimal UnitPrice, decimal DiscountPercent,
    string TaxCategory, decimal TaxRate, bool TaxExempt, decimal Base)
{
    public static PricedLineV1 From(PricedLine l) =>
        new(l.Number, l.Description, l.Quantity, l.UnitPrice, l.DiscountPercent, l.TaxCategory, l.TaxRate, l.TaxExempt, l.Base);

    public PricedLine ToLine() => new(Number, Description, Quantity, UnitPrice, DiscountPercent, TaxCategory, TaxRate, TaxExempt, Base);
}

internal sealed record ContingencySealV1(string KeyId, string Algorithm, string PublicKey, string SignedText, string Signature, DateTimeOffset SignedAt)
{
    public static ContingencySealV1 From(ContingencySeal s) => new(s.KeyId, s.Algorithm, s.PublicKey, s.SignedText, s.Signature, s.SignedAt);
    public ContingencySeal ToSeal() => new(KeyId, Algorithm, PublicKey, SignedText, Signature, SignedAt);
}

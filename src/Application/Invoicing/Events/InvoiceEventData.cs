using Ledger.Domain.Invoicing;
using Ledger.EventStore.Privacy;

namespace Ledger.Application.Invoicing.Events;

// The stored shape of each invoice event, version 1 (see FiscalEventShapes for the conventions).

internal sealed record InvoiceIssuedV1(
    Guid InvoiceId,
    NumberV1 Number,
    DateTimeOffset IssuedAt,
    DateOnly IssueDate,
    CustomerV1 Customer,
    string Currency,
    string FunctionalCurrency,
    decimal ExchangeRate,
    int TaxRuleVersion,
    IReadOnlyList<PricedLineV1> Lines,
    IReadOnlyList<RateAmountsV1> TaxBreakdown,
    TotalsV1 Totals,
    Guid? OrderId = null,
    RecipientPersonalV1? Personal = null)
{
    public static InvoiceIssuedV1 From(InvoiceIssued e)
    {
        var f = e.Facts;
        return new(f.InvoiceId, NumberV1.From(f.Number), f.IssuedAt, f.IssueDate, CustomerV1.From(f.Customer), f.Currency,
            f.FunctionalCurrency, f.ExchangeRate, f.TaxRuleVersion, [.. f.Lines.Select(PricedLineV1.From)],
            [.. f.ByRate.Select(RateAmountsV1.From)], TotalsV1.From(f.Totals), f.OrderId, RecipientPersonalV1.From(e.Personal));
    }

    public InvoiceIssued ToEvent() => new(
        new InvoiceFacts(InvoiceId, Number.ToNumber(), IssuedAt, IssueDate, OrderId, Customer.ToCustomer(), Currency, FunctionalCurrency,
            ExchangeRate, TaxRuleVersion, [.. Lines.Select(l => l.ToLine())], [.. TaxBreakdown.Select(r => r.ToAmounts())], Totals.ToTotals()),
        Personal?.ToPersonal());

    public PersonalRecord? ToRecord() =>
        Personal is { } p && Customer.CustomerId is { } subject ? new(subject, null, PersonalFields.Of(("name", p.Name), ("address", p.Address))) : null;
}

/// <summary>
/// Version 2 of the issued event: the recipient's personal data sealed under their key (<see cref="SealedRecipientV1"/>);
/// the fiscal facts — the recipient's tax id among them — stay in clear, as the law keeps them.
/// </summary>
internal sealed record InvoiceIssuedV2(
    Guid InvoiceId,
    NumberV1 Number,
    DateTimeOffset IssuedAt,
    DateOnly IssueDate,
    CustomerV1 Customer,
    string Currency,
    string FunctionalCurrency,
    decimal ExchangeRate,
    int TaxRuleVersion,
    IReadOnlyList<PricedLineV1> Lines,
    IReadOnlyList<RateAmountsV1> TaxBreakdown,
    TotalsV1 Totals,
    Guid? OrderId = null,
    SealedRecipientV1? Personal = null)
{
    public static InvoiceIssuedV2 From(InvoiceIssued e, SubjectKey? recipientKey)
    {
        var v1 = InvoiceIssuedV1.From(e with { Personal = null });
        return new(v1.InvoiceId, v1.Number, v1.IssuedAt, v1.IssueDate, v1.Customer, v1.Currency, v1.FunctionalCurrency, v1.ExchangeRate,
            v1.TaxRuleVersion, v1.Lines, v1.TaxBreakdown, v1.Totals, v1.OrderId, SealedRecipientV1.Seal(e.Personal, recipientKey));
    }

    public InvoiceIssued ToEvent() => new InvoiceIssuedV1(InvoiceId, Number, IssuedAt, IssueDate, Customer, Currency, FunctionalCurrency,
        ExchangeRate, TaxRuleVersion, Lines, TaxBreakdown, Totals, OrderId).ToEvent();
}

internal sealed record InvoiceStampedV1(Guid InvoiceId, string AuthorityId, string Seal, DateTimeOffset StampedAt, bool Reconciled, DateTimeOffset RecordedAt)
{
    public static InvoiceStampedV1 From(InvoiceStamped e) =>
        new(e.InvoiceId, e.Stamp.AuthorityId, e.Stamp.Seal, e.Stamp.StampedAt, e.Reconciled, e.RecordedAt);

    public InvoiceStamped ToEvent() => new(InvoiceId, new AuthorityStamp(AuthorityId, Seal, StampedAt), Reconciled, RecordedAt);
}

internal sealed record InvoiceContingencyStampedV1(Guid InvoiceId, ContingencySealV1 Seal, string Reason)
{
    public static InvoiceContingencyStampedV1 From(InvoiceContingencyStamped e) => new(e.InvoiceId, ContingencySealV1.From(e.Seal), e.Reason);
    public InvoiceContingencyStamped ToEvent() => new(InvoiceId, Seal.ToSeal(), Reason);
}

internal sealed record InvoiceStampRejectedV1(Guid InvoiceId, string Code, string Reason, DateTimeOffset RejectedAt)
{
    public static InvoiceStampRejectedV1 From(InvoiceStampRejected e) => new(e.InvoiceId, e.Code, e.Reason, e.RejectedAt);
    public InvoiceStampRejected ToEvent() => new(InvoiceId, Code, Reason, RejectedAt);
}

internal sealed record CreditedLineV1(int LineNumber, decimal Quantity, decimal Base);

internal sealed record InvoiceCreditedV1(
    Guid InvoiceId,
    Guid CreditNoteId,
    NumberV1 CreditNoteNumber,
    IReadOnlyList<CreditedLineV1> Lines,
    IReadOnlyList<RateAmountsV1> TaxBreakdown,
    TotalsV1 Totals,
    bool Completes,
    bool Cancellation,
    string Reason,
    DateTimeOffset CreditedAt)
{
    public static InvoiceCreditedV1 From(InvoiceCredited e) => new(
        e.InvoiceId, e.CreditNoteId, NumberV1.From(e.CreditNoteNumber), [.. e.Lines.Select(l => new CreditedLineV1(l.LineNumber, l.Quantity, l.Base))],
        [.. e.ByRate.Select(RateAmountsV1.From)], TotalsV1.From(e.Totals), e.Completes, e.Cancellation, e.Reason, e.CreditedAt);

    public InvoiceCredited ToEvent() => new(
        InvoiceId, CreditNoteId, CreditNoteNumber.ToNumber(), [.. Lines.Select(l => new CreditedLineAmount(l.LineNumber, l.Quantity, l.Base))],
        [.. TaxBreakdown.Select(r => r.ToAmounts())], Totals.ToTotals(), Completes, Cancellation, Reason, CreditedAt);
}

using System.Text.Json;
using Ledger.Application.Json;
using Ledger.Domain.Invoicing;
using Ledger.EventStore;

namespace Ledger.Application.Invoicing.Events;

internal sealed record CreditNoteLineV1(
    int InvoiceLineNumber, string Description, decimal Quantity, decimal UnitPrice, decimal DiscountPercent,
    string TaxCategory, decimal TaxRate, bool TaxExempt, decimal Base);

internal sealed record CreditNoteIssuedV1(
    Guid CreditNoteId,
    NumberV1 Number,
    DateTimeOffset IssuedAt,
    DateOnly IssueDate,
    Guid InvoiceId,
    NumberV1 InvoiceNumber,
    DateOnly InvoiceIssueDate,
    CustomerV1 Customer,
    string Currency,
    string FunctionalCurrency,
    decimal ExchangeRate,
    IReadOnlyList<CreditNoteLineV1> Lines,
    IReadOnlyList<RateAmountsV1> TaxBreakdown,
    TotalsV1 Totals,
    bool Cancellation,
    string Reason)
{
    public static CreditNoteIssuedV1 From(CreditNoteIssued e)
    {
        var f = e.Facts;
        return new(f.CreditNoteId, NumberV1.From(f.Number), f.IssuedAt, f.IssueDate, f.InvoiceId, NumberV1.From(f.InvoiceNumber),
            f.InvoiceIssueDate, CustomerV1.From(f.Customer), f.Currency, f.FunctionalCurrency, f.ExchangeRate,
            [.. f.Lines.Select(l => new CreditNoteLineV1(l.InvoiceLineNumber, l.Description, l.Quantity, l.UnitPrice, l.DiscountPercent,
                l.TaxCategory, l.TaxRate, l.TaxExempt, l.Base))],
            [.. f.ByRate.Select(RateAmountsV1.From)], TotalsV1.From(f.Totals), f.Cancellation, f.Reason);
    }

    public CreditNoteIssued ToEvent() => new(new CreditNoteFacts(
        CreditNoteId, Number.ToNumber(), IssuedAt, IssueDate, InvoiceId, InvoiceNumber.ToNumber(), InvoiceIssueDate, Customer.ToCustomer(),
        Currency, FunctionalCurrency, ExchangeRate,
        [.. Lines.Select(l => new CreditNoteLine(l.InvoiceLineNumber, l.Description, l.Quantity, l.UnitPrice, l.DiscountPercent,
            l.TaxCategory, l.TaxRate, l.TaxExempt, l.Base))],
        [.. TaxBreakdown.Select(r => r.ToAmounts())], Totals.ToTotals(), Cancellation, Reason));
}

/// <summary>Credit note events: their stored names, versions and shapes.</summary>
public static class CreditNoteEventCodec
{
    public const string Issued = "fiscal.credit_note.issued";

    /// <summary>The stored shape of each event type and version this codec writes: how Marten stores and names them.</summary>
    public static IEnumerable<(string EventType, int TypeVersion, Type Shape)> StoredShapes { get; } = [(Issued, 1, typeof(CreditNoteIssuedV1))];

    public static IReadOnlyList<string> EventTypes { get; } = [Issued];

    public static EncodedEvent Encode(CreditNoteIssued e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return FiscalJson.Write(Issued, CreditNoteIssuedV1.From(e));
    }

    public static CreditNoteIssued Decode(RecordedEvent recorded) => FiscalJson.Decode(recorded, Decode);

    public static CreditNoteIssued Decode(string eventType, int typeVersion, JsonElement data) => (eventType, typeVersion) switch
    {
        (Issued, 1) => FiscalJson.Read<CreditNoteIssuedV1>(data).ToEvent(),
        _ => throw FiscalJson.Unknown(eventType, typeVersion),
    };
}

using Ledger.Domain.Invoicing;
using Ledger.Domain.TaxIds;

namespace Ledger.Domain.Tests.Invoicing;

/// <summary>An invoice of two lines at two Spanish VAT rates, and the commands and events around it.</summary>
public static class InvoiceExamples
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    public static readonly Guid InvoiceId = Guid.Parse("0195f0a0-0000-7000-8000-000000000001");
    public static readonly Guid CreditNoteId = Guid.Parse("0195f0a0-0000-7000-8000-0000000000c1");
    public static readonly TaxRuleSet Rules = new(3, new DateOnly(2026, 1, 1), StatutoryTaxRates.Initial);
    public static readonly TaxId CustomerTaxId = TaxIdValidator.Check("ES", "B12345674").TaxId!;
    public static readonly InvoiceCustomer Customer = new("cust-1", CustomerTaxId);

    /// <summary>3 × 10.00 at 21 % less 10 % (27.00) and 2 × 4.95 at 10 % (9.90).</summary>
    public static readonly InvoiceLine[] Lines =
    [
        new("Ledger paper", 3m, 10.00m, 10m, "es.vat.general"),
        new("Book", 2m, 4.95m, 0m, "es.vat.reduced"),
    ];

    public static IssueInvoice Issue(
        IReadOnlyList<InvoiceLine>? lines = null, string currency = "EUR", string functional = "EUR", decimal? rate = null,
        long number = 1, Guid? orderId = null, InvoiceCustomer? customer = null, string series = "A-2026", Guid? id = null) =>
        new(id ?? InvoiceId, new InvoiceNumber(series, number), DateOnly.FromDateTime(T0.UtcDateTime), orderId, customer ?? Customer,
            new RecipientPersonalData("Ada Lovelace", "1 Analytical St"), currency, lines ?? Lines, Rules, functional, rate, T0, "clerk-1");

    /// <summary>The event <see cref="Issue"/> decides, for use as history.</summary>
    public static InvoiceIssued Issued(IssueInvoice? issue = null) =>
        (InvoiceIssued)InvoiceDecider.Decide(issue ?? Issue(), InvoiceDecider.Initial).Single();

    public static readonly AuthorityStamp Stamp = new("5FB2822E-396D-4725-8521-CDC4BDD20CCF", "c2VhbA==", T0.AddSeconds(1));

    public static readonly ContingencySeal Seal = new("0123456789abcdef", "ES256", "cHVi", "text", "c2ln", T0.AddSeconds(3));

    public static RecordStamp RecordStamp(AuthorityStamp? stamp = null) => new(InvoiceId, stamp ?? Stamp, T0.AddSeconds(2), "ledger-stamping");

    public static RecordContingencyStamp RecordSeal() => new(InvoiceId, Seal, "the authority is down", T0.AddSeconds(3), "ledger-stamping");

    public static RecordStampRejection Reject(string code = "CFDI40999") => new(InvoiceId, code, "The receiver's RFC is not registered", T0.AddSeconds(2), "ledger-stamping");

    public static CreditInvoice Credit(string reason = "returned goods", Guid? creditNoteId = null, long number = 1, params CreditedLine[] lines) =>
        new(InvoiceId, creditNoteId ?? CreditNoteId, new InvoiceNumber("R-2026", number), lines, reason, T0.AddDays(1), "clerk-1");
}

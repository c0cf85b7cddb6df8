using System.Globalization;
using Ledger.Projections.Invoicing;

namespace Ledger.Host.ReadModels;

/// <summary>
/// A row of the invoice register. Amounts are decimal strings, in the document's currency and (functional_*) in the
/// tenant's functional currency, the one tax is declared in. Status: issued, stamped, contingency, rejected or credited.
/// </summary>
public sealed record InvoiceRegisterView(
    Guid DocumentId, string Kind, string Series, string Number, long Sequence, DateOnly IssueDate, string Period, string? CustomerId,
    string? CustomerTaxId, string Currency, string Base, string Tax, string Total, string FunctionalCurrency, string ExchangeRate,
    string FunctionalBase, string FunctionalTax, string FunctionalTotal, IReadOnlyList<RegisterRateView> TaxBreakdown, string Status,
    Guid? CorrectedInvoiceId)
{
    /// <summary>
    /// As in the AEAT's own register layout, the CSV has a line per document and rate: the document's columns repeat,
    /// the rate_* columns hold that rate's share. Sum rate_base and rate_tax, not the document totals.
    /// </summary>
    public static readonly string[] Columns =
    [
        "document_id", "kind", "series", "number", "issue_date", "period", "customer_id", "customer_tax_id", "currency", "status",
        "corrected_invoice_id", "rate", "exempt", "rate_base", "rate_tax", "rate_functional_base", "rate_functional_tax",
        "base", "tax", "total", "functional_currency", "exchange_rate", "functional_total",
    ];

    public static InvoiceRegisterView From(InvoiceRegisterRow r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new(r.DocumentId, r.Kind, r.Series, r.Number, r.Sequence, r.IssueDate, r.Period, r.CustomerId, r.CustomerTaxId, r.Currency,
            M(r.Base), M(r.Tax), M(r.Total), r.FunctionalCurrency, M(r.ExchangeRate), M(r.FunctionalBase), M(r.FunctionalTax),
            M(r.FunctionalTotal), [.. r.TaxBreakdown.Select(RegisterRateView.From)], r.Status, r.CorrectedInvoiceId);
    }

    /// <summary>The CSV lines of a row. Amounts go as decimals: text starting with '-' would be defused as a formula.</summary>
    public static IEnumerable<object?[]> Lines(InvoiceRegisterRow r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return r.TaxBreakdown.Select(rate => new object?[]
        {
            r.DocumentId, r.Kind, r.Series, r.Number, r.IssueDate, r.Period, r.CustomerId, r.CustomerTaxId, r.Currency, r.Status, r.CorrectedInvoiceId,
            rate.Rate, rate.Exempt ? "true" : "false", rate.Base, rate.Tax, rate.FunctionalBase, rate.FunctionalTax,
            r.Base, r.Tax, r.Total, r.FunctionalCurrency, r.ExchangeRate, r.FunctionalTotal,
        });
    }

    internal static string M(decimal amount) => amount.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One rate's base and tax within a register row.</summary>
public sealed record RegisterRateView(string Rate, bool Exempt, string Base, string Tax, string FunctionalBase, string FunctionalTax)
{
    public static RegisterRateView From(RegisterRateRow r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new(InvoiceRegisterView.M(r.Rate), r.Exempt, InvoiceRegisterView.M(r.Base), InvoiceRegisterView.M(r.Tax),
            InvoiceRegisterView.M(r.FunctionalBase), InvoiceRegisterView.M(r.FunctionalTax));
    }
}

/// <summary>A line of the tax summary: one month, functional currency and rate, net of credit notes.</summary>
public sealed record TaxSummaryView(string Period, string FunctionalCurrency, string Rate, bool Exempt, string Base, string Tax, int Documents)
{
    public static readonly string[] Columns = ["period", "functional_currency", "rate", "exempt", "base", "tax", "documents"];

    public static TaxSummaryView From(TaxSummaryRow r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new(r.Period, r.FunctionalCurrency, InvoiceRegisterView.M(r.Rate), r.Exempt, InvoiceRegisterView.M(r.Base), InvoiceRegisterView.M(r.Tax), r.Documents);
    }

    public static object?[] Fields(TaxSummaryRow r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return [r.Period, r.FunctionalCurrency, r.Rate, r.Exempt ? "true" : "false", r.Base, r.Tax, r.Documents];
    }
}

namespace Ledger.Domain.Invoicing;

/// <summary>
/// The base and tax of one rate on a document, in the document's currency and in the tenant's functional currency.
/// One entry per (rate, exempt) pair present on the document.
/// </summary>
public sealed record RateAmounts(decimal Rate, bool Exempt, decimal Base, decimal Tax, decimal FunctionalBase, decimal FunctionalTax)
{
    public (decimal Rate, bool Exempt) Key => (Rate, Exempt);
}

/// <summary>A document's totals: the sums of its rate amounts, in both currencies.</summary>
public sealed record DocumentTotals(decimal Base, decimal Tax, decimal Total, decimal FunctionalBase, decimal FunctionalTax, decimal FunctionalTotal)
{
    public static DocumentTotals Of(IReadOnlyCollection<RateAmounts> byRate)
    {
        ArgumentNullException.ThrowIfNull(byRate);
        var b = byRate.Sum(r => r.Base);
        var t = byRate.Sum(r => r.Tax);
        var fb = byRate.Sum(r => r.FunctionalBase);
        var ft = byRate.Sum(r => r.FunctionalTax);
        return new DocumentTotals(b, t, b + t, fb, ft, fb + ft);
    }
}

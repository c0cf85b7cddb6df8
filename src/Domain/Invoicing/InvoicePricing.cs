using Ledger.Domain.Money;

namespace Ledger.Domain.Invoicing;

/// <summary>
/// How an invoice's amounts are computed (docs/invoicing.md, "Rounding"): each line's base is rounded to the
/// currency's minor unit, half away from zero; lines are grouped by rate; each rate's tax is computed once on the
/// sum of its bases and rounded the same way. Functional-currency amounts convert each rate's base and tax with
/// the exchange rate fixed at issue and round them the same way; totals are sums of those rounded amounts, so a
/// document always adds up in both currencies.
/// </summary>
public static class InvoicePricing
{
    public const int MaxLines = 500;
    public const decimal MaxQuantity = 1_000_000_000m;
    public const decimal MaxUnitPrice = 1_000_000_000_000m;
    public const int MaxQuantityDecimals = 6;
    public const int MaxUnitPriceDecimals = 6;
    public const int MaxDiscountDecimals = 2;

    /// <summary>Checks and prices the lines under <paramref name="rules"/>.</summary>
    public static PricedLine[] Price(IReadOnlyList<InvoiceLine>? lines, TaxRuleSet rules, Currency currency)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(currency);
        if (lines is null || lines.Count == 0)
            throw InvoiceErrors.Refuse(InvoiceErrors.NoLines, "An invoice needs at least one line.");
        if (lines.Count > MaxLines)
            throw InvoiceErrors.Refuse(InvoiceErrors.TooManyLines, $"An invoice has at most {MaxLines} lines.");

        var priced = new PricedLine[lines.Count];
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i] ?? throw InvoiceErrors.Refuse(InvoiceErrors.NoLines, $"Line {i + 1} is missing.");
            Check(i + 1, line);
            var rate = rules.Find(line.TaxCategory)
                ?? throw InvoiceErrors.Refuse(InvoiceErrors.UnknownTaxCategory,
                    $"Line {i + 1}'s tax category '{line.TaxCategory}' is not in the tax rules version {rules.Version}.");
            priced[i] = new PricedLine(i + 1, line.Description, line.Quantity, line.UnitPrice, line.DiscountPercent,
                line.TaxCategory, rate.Rate, rate.Exempt, LineBase(line.Quantity, line.UnitPrice, line.DiscountPercent, currency));
        }
        return priced;
    }

    /// <summary>quantity × unit price × (1 − discount/100), rounded once to the currency's minor unit.</summary>
    public static decimal LineBase(decimal quantity, decimal unitPrice, decimal discountPercent, Currency currency) =>
        Rounding.ToMinorUnits(quantity * unitPrice * (100m - discountPercent) / 100m, currency);

    /// <summary>The bases of each (rate, exempt) summed, then taxed and converted: see the type's summary.</summary>
    public static RateAmounts[] ByRate(IEnumerable<(decimal Rate, bool Exempt, decimal Base)> bases, Currency currency, Currency functional, decimal exchangeRate) =>
        bases.GroupBy(b => (b.Rate, b.Exempt))
            .OrderByDescending(g => g.Key.Rate).ThenBy(g => g.Key.Exempt)
            .Select(g =>
            {
                var sum = Rounding.ToMinorUnits(g.Sum(b => b.Base), currency);
                var tax = Tax(sum, g.Key.Rate, currency);
                return new RateAmounts(g.Key.Rate, g.Key.Exempt, sum, tax, Convert(sum, exchangeRate, functional), Convert(tax, exchangeRate, functional));
            })
            .ToArray();

    public static decimal Tax(decimal taxBase, decimal ratePercent, Currency currency) =>
        Rounding.ToMinorUnits(taxBase * ratePercent / 100m, currency);

    public static decimal Convert(decimal amount, decimal exchangeRate, Currency functional) =>
        Rounding.ToMinorUnits(amount * exchangeRate, functional);

    private static void Check(int n, InvoiceLine line)
    {
        if (string.IsNullOrWhiteSpace(line.Description))
            throw InvoiceErrors.Refuse(InvoiceErrors.DescriptionRequired, $"Line {n} has no description.");
        if (line.Quantity <= 0 || line.Quantity > MaxQuantity || Decimals(line.Quantity) > MaxQuantityDecimals)
            throw InvoiceErrors.Refuse(InvoiceErrors.InvalidQuantity,
                $"Line {n}'s quantity must be positive, at most {MaxQuantity} and have at most {MaxQuantityDecimals} decimals.");
        if (line.UnitPrice < 0 || line.UnitPrice > MaxUnitPrice || Decimals(line.UnitPrice) > MaxUnitPriceDecimals)
            throw InvoiceErrors.Refuse(InvoiceErrors.InvalidUnitPrice,
                $"Line {n}'s unit price must be between 0 and {MaxUnitPrice} with at most {MaxUnitPriceDecimals} decimals.");
        if (line.DiscountPercent < 0 || line.DiscountPercent > 100 || Decimals(line.DiscountPercent) > MaxDiscountDecimals)
            throw InvoiceErrors.Refuse(InvoiceErrors.InvalidDiscount,
                $"Line {n}'s discount must be a percentage between 0 and 100 with at most {MaxDiscountDecimals} decimals.");
    }

    /// <summary>Significant decimals: 1.50 has one, whatever scale it was written with.</summary>
    internal static int Decimals(decimal value)
    {
        var scale = (int)value.Scale;
        while (scale > 0 && decimal.Round(value, scale - 1) == value) scale--;
        return scale;
    }
}

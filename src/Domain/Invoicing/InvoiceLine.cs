namespace Ledger.Domain.Invoicing;

/// <summary>
/// A line as the issuer asks for it: so many units at a price per unit before tax, less a discount in percent,
/// taxed under a category of the tenant's rules.
/// </summary>
public sealed record InvoiceLine(string Description, decimal Quantity, decimal UnitPrice, decimal DiscountPercent, string TaxCategory);

/// <summary>
/// A line as issued: the request plus the rate its category had and its base (net amount), rounded to the
/// currency's minor unit. <paramref name="Number"/> counts from 1 and is how a credit note refers to the line.
/// </summary>
public sealed record PricedLine(
    int Number,
    string Description,
    decimal Quantity,
    decimal UnitPrice,
    decimal DiscountPercent,
    string TaxCategory,
    decimal TaxRate,
    bool TaxExempt,
    decimal Base);

/// <summary>How much of one invoice line a credit note credits, and the base that quantity amounts to.</summary>
public sealed record CreditedLine(int LineNumber, decimal Quantity);

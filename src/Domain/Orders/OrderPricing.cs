using Ledger.Domain.Money;

namespace Ledger.Domain.Orders;

/// <summary>
/// Checks the lines of a new order against its currency and adds them up. Every unit price must already be
/// expressible in the currency's minor units, so each line amount and the total are exact: nothing is rounded.
/// </summary>
internal static class OrderPricing
{
    public static decimal Total(IReadOnlyList<OrderLine>? lines, Currency currency)
    {
        if (lines is null || lines.Count == 0)
            throw OrderErrors.Refuse(OrderErrors.NoLines, "An order needs at least one line.");

        var total = 0m;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line is null || string.IsNullOrWhiteSpace(line.Sku))
                throw OrderErrors.Refuse(OrderErrors.SkuRequired, $"Line {i + 1} has no SKU.");
            if (line.Quantity <= 0)
                throw OrderErrors.Refuse(OrderErrors.InvalidQuantity, $"Line {i + 1} has quantity {line.Quantity}; it must be positive.");
            if (line.UnitPrice < 0)
                throw OrderErrors.Refuse(OrderErrors.NegativePrice, $"Line {i + 1} has a negative unit price.");
            if (!Rounding.IsExactIn(line.UnitPrice, currency))
                throw OrderErrors.Refuse(OrderErrors.InvalidAmountPrecision,
                    $"Line {i + 1}'s unit price has more decimals than {currency.Code} allows ({currency.MinorUnits}).");
            total = Add(total, line);
        }

        return Rounding.ToMinorUnits(total, currency);
    }

    private static decimal Add(decimal total, OrderLine line)
    {
        try
        {
            return total + line.Quantity * line.UnitPrice;
        }
        catch (OverflowException)
        {
            throw OrderErrors.Refuse(OrderErrors.AmountOutOfRange, "The order's total is too large to be represented.");
        }
    }
}

namespace Ledger.Domain.Money;

/// <summary>
/// The one place money is rounded. Ledger rounds half away from zero (2.345 EUR → 2.35, −2.345 → −2.35),
/// the commercial rounding most tax authorities prescribe, never .NET's default banker's rounding.
/// </summary>
public static class Rounding
{
    /// <summary>
    /// <paramref name="amount"/> rounded to the currency's minor units with <see cref="MidpointRounding.AwayFromZero"/>,
    /// written with exactly that many decimals (12.5 EUR → 12.50, 1200.0 JPY → 1200), so that its text form is
    /// the canonical one.
    /// </summary>
    public static decimal ToMinorUnits(decimal amount, Currency currency)
    {
        ArgumentNullException.ThrowIfNull(currency);
        var rounded = decimal.Round(amount, currency.MinorUnits, MidpointRounding.AwayFromZero);
        // Adding a zero with the currency's scale pads the scale (12.5 + 0.00 = 12.50) without changing the value.
        return rounded + new decimal(0, 0, 0, false, (byte)currency.MinorUnits);
    }

    /// <summary>Whether <paramref name="amount"/> needs no rounding in the currency (12.50 EUR does, 12.505 EUR does not).</summary>
    public static bool IsExactIn(decimal amount, Currency currency)
    {
        ArgumentNullException.ThrowIfNull(currency);
        return decimal.Round(amount, currency.MinorUnits) == amount;
    }
}

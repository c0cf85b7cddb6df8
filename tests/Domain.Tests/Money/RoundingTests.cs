using System.Globalization;
using Ledger.Domain.Money;

namespace Ledger.Domain.Tests.Money;

public class RoundingTests
{
    private static Currency Of(string code) => Currency.TryGet(code, out var c) ? c : throw new ArgumentException(code);

    [Theory]
    [InlineData("2.345", "EUR", "2.35")]
    [InlineData("-2.345", "EUR", "-2.35")]
    [InlineData("2.344", "EUR", "2.34")]
    [InlineData("2.5", "EUR", "2.50")]
    [InlineData("12", "EUR", "12.00")]
    [InlineData("0.5", "JPY", "1")]
    [InlineData("1.5", "JPY", "2")]
    [InlineData("2.5", "JPY", "3")]
    [InlineData("-0.5", "JPY", "-1")]
    [InlineData("1200.0", "JPY", "1200")]
    [InlineData("1.0005", "KWD", "1.001")]
    public void Midpoints_round_away_from_zero_and_the_scale_is_the_currency_minor_units(string amount, string currency, string expected) =>
        Rounding.ToMinorUnits(decimal.Parse(amount, CultureInfo.InvariantCulture), Of(currency))
            .ToString(CultureInfo.InvariantCulture).ShouldBe(expected);

    [Theory]
    [InlineData("12.50", "EUR", true)]
    [InlineData("12.500", "EUR", true)]
    [InlineData("12.505", "EUR", false)]
    [InlineData("100", "JPY", true)]
    [InlineData("100.1", "JPY", false)]
    public void An_amount_is_exact_in_a_currency_when_rounding_would_not_change_it(string amount, string currency, bool exact) =>
        Rounding.IsExactIn(decimal.Parse(amount, CultureInfo.InvariantCulture), Of(currency)).ShouldBe(exact);
}

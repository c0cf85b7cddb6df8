using Ledger.Domain.Money;

namespace Ledger.Domain.Tests.Money;

public class CurrencyTests
{
    [Theory]
    [InlineData("EUR", 2)] [InlineData("USD", 2)] [InlineData("GBP", 2)] [InlineData("CHF", 2)] [InlineData("JPY", 0)]
    [InlineData("MXN", 2)] [InlineData("BRL", 2)] [InlineData("ARS", 2)] [InlineData("CLP", 0)] [InlineData("COP", 2)]
    [InlineData("PEN", 2)] [InlineData("UYU", 2)] [InlineData("CAD", 2)] [InlineData("AUD", 2)] [InlineData("NZD", 2)]
    [InlineData("SEK", 2)] [InlineData("NOK", 2)] [InlineData("DKK", 2)] [InlineData("PLN", 2)] [InlineData("CZK", 2)]
    [InlineData("HUF", 2)] [InlineData("RON", 2)] [InlineData("BGN", 2)] [InlineData("TRY", 2)] [InlineData("CNY", 2)]
    [InlineData("INR", 2)] [InlineData("KRW", 0)] [InlineData("SGD", 2)] [InlineData("HKD", 2)] [InlineData("ZAR", 2)]
    [InlineData("KWD", 3)] [InlineData("BHD", 3)] [InlineData("JOD", 3)] [InlineData("TND", 3)] [InlineData("OMR", 3)]
    [InlineData("CLF", 4)] [InlineData("XOF", 0)]
    public void Known_codes_have_their_ISO_minor_units(string code, int minorUnits)
    {
        Currency.TryGet(code, out var currency).ShouldBeTrue();
        currency.Code.ShouldBe(code);
        currency.MinorUnits.ShouldBe(minorUnits);
    }

    [Theory]
    [InlineData("XYZ")] [InlineData("eur")] [InlineData("EURO")] [InlineData("")] [InlineData(null)] [InlineData("HRK")] [InlineData("XAU")]
    public void Unknown_or_withdrawn_codes_are_not_currencies(string? code) =>
        Currency.TryGet(code, out _).ShouldBeFalse();

    [Fact]
    public void The_table_holds_each_code_once_as_three_upper_case_letters()
    {
        Currency.All.Count.ShouldBeGreaterThan(150);
        Currency.All.Select(c => c.Code).ShouldBeUnique();
        Currency.All.ShouldAllBe(c => c.Code.Length == 3 && c.Code.All(char.IsAsciiLetterUpper) && c.MinorUnits >= 0 && c.MinorUnits <= 4);
    }

    [Fact]
    public void The_same_code_is_the_same_currency()
    {
        Currency.TryGet("EUR", out var a);
        Currency.TryGet("EUR", out var b);
        a.ShouldBeSameAs(b);
    }
}

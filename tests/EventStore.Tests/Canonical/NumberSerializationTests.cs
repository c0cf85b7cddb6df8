using System.Globalization;
using System.Text;
using Ledger.EventStore.Canonical;

namespace Ledger.EventStore.Tests.Canonical;

/// <summary>Number serialization, RFC 8785 §3.2.2.3 and the style of its Appendix B.</summary>
public class NumberSerializationTests
{
    [Theory]
    [InlineData("0", "0")]
    [InlineData("-0", "0")]
    [InlineData("-0.0e5", "0")]
    [InlineData("1", "1")]
    [InlineData("-1", "-1")]
    [InlineData("56.0", "56")]
    [InlineData("4.50", "4.5")]
    [InlineData("2e-3", "0.002")]
    [InlineData("0.000001", "0.000001")]
    [InlineData("1e-7", "1e-7")]
    [InlineData("1.5e-7", "1.5e-7")]
    [InlineData("-1.5e-7", "-1.5e-7")]
    [InlineData("0.0000001234", "1.234e-7")]
    [InlineData("1E30", "1e+30")]
    [InlineData("1e21", "1e+21")]
    [InlineData("999999999999999900000", "999999999999999900000")]
    [InlineData("123456789012345680000", "123456789012345680000")]
    [InlineData("1.2345678901234568e20", "123456789012345680000")]
    [InlineData("1e20", "100000000000000000000")]
    [InlineData("1.5e21", "1.5e+21")]
    [InlineData("1e-6", "0.000001")]
    [InlineData("0.1", "0.1")]
    [InlineData("333333333.33333329", "333333333.3333333")]
    [InlineData("0.000000000000000000000000001", "1e-27")]
    [InlineData("5e-324", "5e-324")]
    [InlineData("-5e-324", "-5e-324")]
    [InlineData("2.2250738585072014e-308", "2.2250738585072014e-308")]
    [InlineData("1.7976931348623157e308", "1.7976931348623157e+308")]
    [InlineData("-1.7976931348623157e308", "-1.7976931348623157e+308")]
    [InlineData("9007199254740992", "9007199254740992")]
    [InlineData("9007199254740993", "9007199254740992")]
    [InlineData("295147905179352830000", "295147905179352830000")]
    public void Json_number_text_is_canonicalized(string json, string expected)
    {
        Encoding.UTF8.GetString(JsonCanonicalizer.Canonicalize(Encoding.UTF8.GetBytes(json))).ShouldBe(expected);
    }

    // IEEE-754 bit patterns from RFC 8785 Appendix B.
    [Theory]
    [InlineData(0x0000000000000000UL, "0")]
    [InlineData(0x8000000000000000UL, "0")]
    [InlineData(0x0000000000000001UL, "5e-324")]
    [InlineData(0x8000000000000001UL, "-5e-324")]
    [InlineData(0x7fefffffffffffffUL, "1.7976931348623157e+308")]
    [InlineData(0xffefffffffffffffUL, "-1.7976931348623157e+308")]
    [InlineData(0x4340000000000000UL, "9007199254740992")]
    [InlineData(0xc340000000000000UL, "-9007199254740992")]
    [InlineData(0x4430000000000000UL, "295147905179352830000")]
    [InlineData(0x44b52d02c7e14af5UL, "9.999999999999997e+22")]
    [InlineData(0x44b52d02c7e14af6UL, "1e+23")]
    [InlineData(0x44b52d02c7e14af7UL, "1.0000000000000001e+23")]
    [InlineData(0x444b1ae4d6e2ef4eUL, "999999999999999700000")]
    [InlineData(0x444b1ae4d6e2ef4fUL, "999999999999999900000")]
    [InlineData(0x444b1ae4d6e2ef50UL, "1e+21")]
    [InlineData(0x3eb0c6f7a0b5ed8cUL, "9.999999999999997e-7")]
    [InlineData(0x3eb0c6f7a0b5ed8dUL, "0.000001")]
    [InlineData(0x41b3de4355555553UL, "333333333.3333332")]
    [InlineData(0x41b3de4355555554UL, "333333333.33333325")]
    [InlineData(0x41b3de4355555555UL, "333333333.3333333")]
    [InlineData(0x41b3de4355555556UL, "333333333.3333334")]
    [InlineData(0x41b3de4355555557UL, "333333333.33333343")]
    [InlineData(0xbecbf647612f3696UL, "-0.0000033333333333333333")]
    [InlineData(0x43143ff3c1cb0959UL, "1424953923781206.2")]
    public void Appendix_b_bit_patterns_are_formatted(ulong bits, string expected)
    {
        JsonCanonicalizer.FormatNumber(BitConverter.UInt64BitsToDouble(bits)).ShouldBe(expected);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Non_finite_doubles_are_rejected(double value)
    {
        Should.Throw<JsonCanonicalizationException>(() => JsonCanonicalizer.FormatNumber(value));
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    [InlineData("[1, 2e999]")]
    public void Numbers_beyond_the_double_range_are_rejected(string json)
    {
        Should.Throw<JsonCanonicalizationException>(() => JsonCanonicalizer.Canonicalize(Encoding.UTF8.GetBytes(json)))
            .Message.ShouldContain("RFC 8785");
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("[NaN]")]
    [InlineData("{\"a\":Infinity}")]
    [InlineData("01")]
    [InlineData("+1")]
    [InlineData(".5")]
    [InlineData("0x10")]
    public void Number_like_text_that_is_not_json_is_rejected(string json)
    {
        // Not JSON at all, so System.Text.Json's reader rejects it (JsonCanonicalizationException is a JsonException too).
        Should.Throw<System.Text.Json.JsonException>(() => JsonCanonicalizer.Canonicalize(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void Formatting_uses_no_culture()
    {
        var previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture.Clone() is CultureInfo c
                ? WithCommaDecimal(c)
                : previous;
            JsonCanonicalizer.FormatNumber(4.5).ShouldBe("4.5");
            JsonCanonicalizer.FormatNumber(-1.5e-7).ShouldBe("-1.5e-7");
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    private static CultureInfo WithCommaDecimal(CultureInfo culture)
    {
        culture.NumberFormat.NumberDecimalSeparator = ",";
        culture.NumberFormat.NegativeSign = "~";
        return culture;
    }
}

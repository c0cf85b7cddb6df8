using Ledger.EventStore.Canonical;
using System.Globalization;

namespace Ledger.EventStore.Tests.Canonical.Reference;

/// <summary>
/// Formats a double the way ECMAScript's <c>Number.prototype.toString()</c> does, which is the number
/// serialization RFC 8785 §3.2.2.3 prescribes (ECMA-262, "Number::toString").
/// </summary>
internal static class ReferenceEcmaScriptNumber
{
    // ECMA-262 switches to exponent notation once the decimal exponent n leaves (-6, 21].
    private const int MaxPlainExponent = 21;
    private const int MinPlainExponent = -6;

    public static string Format(double value)
    {
        // RFC 8785 §3.2.2.3: NaN and Infinity are not JSON numbers, so there is nothing to serialize.
        if (!double.IsFinite(value))
        {
            throw new JsonCanonicalizationException(
                $"The number {value.ToString(CultureInfo.InvariantCulture)} cannot be canonicalized: RFC 8785 §3.2.2.3 allows finite IEEE-754 doubles only.");
        }

        // ECMA-262 step 2: both +0 and -0 become "0".
        if (value == 0)
        {
            return "0";
        }

        var (digits, n) = ShortestDecimal(Math.Abs(value));
        var text = Layout(digits, n);
        return value < 0 ? "-" + text : text;
    }

    /// <summary>
    /// Returns the shortest digit string s (k digits, no leading or trailing zeros) and the exponent n such that
    /// value = 0.s × 10^n, i.e. the "k, n, s" of ECMA-262 Number::toString step 5.
    /// </summary>
    private static (string Digits, int N) ShortestDecimal(double positive)
    {
        // Since .NET Core 3.0, "R" yields the shortest digit string that round-trips to the same double, which is
        // exactly the s that ECMA-262 asks for. Its layout differs from ECMAScript's ("1.5E-07", "1E+21",
        // "1.2345678901234568E+20", "0.0001"), so only its digits and exponent are used.
        var roundTrip = positive.ToString("R", CultureInfo.InvariantCulture).AsSpan();

        var exponent = 0;
        var e = roundTrip.IndexOf('E');
        if (e >= 0)
        {
            exponent = int.Parse(roundTrip[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            roundTrip = roundTrip[..e];
        }

        var point = roundTrip.IndexOf('.');
        var integerLength = point < 0 ? roundTrip.Length : point;
        var allDigits = point < 0
            ? roundTrip.ToString()
            : string.Concat(roundTrip[..point], roundTrip[(point + 1)..]);

        // The decimal point sits integerLength + exponent digits after the start of allDigits; measured from the
        // first significant digit instead, that position is ECMAScript's n.
        var significant = allDigits.TrimStart('0');
        var leadingZeros = allDigits.Length - significant.Length;
        return (significant.TrimEnd('0'), integerLength + exponent - leadingZeros);
    }

    /// <summary>ECMA-262 Number::toString steps 6-10, for a positive number with digits s and exponent n.</summary>
    private static string Layout(string s, int n)
    {
        var k = s.Length;

        // Step 6: an integer below 10^21, e.g. 123456789012345680000.
        if (k <= n && n <= MaxPlainExponent)
        {
            return s + new string('0', n - k);
        }

        // Step 7: the point falls inside the digits, e.g. 4.5.
        if (0 < n && n <= MaxPlainExponent)
        {
            return string.Concat(s.AsSpan(0, n), ".", s.AsSpan(n));
        }

        // Step 8: a small number down to 1e-6, written with leading zeros, e.g. 0.002.
        if (MinPlainExponent < n && n <= 0)
        {
            return "0." + new string('0', -n) + s;
        }

        // Steps 9-10: exponent notation with an explicit sign, e.g. 1e+21, 1.5e-7.
        var exponent = n - 1;
        var sign = exponent < 0 ? "-" : "+";
        var magnitude = Math.Abs(exponent).ToString(CultureInfo.InvariantCulture);
        return k == 1
            ? string.Concat(s, "e", sign, magnitude)
            : string.Concat(s.AsSpan(0, 1), ".", s.AsSpan(1), "e" + sign + magnitude);
    }
}

using System.Globalization;
using System.Text;

namespace Ledger.EventStore.Canonical;

/// <summary>
/// Formats a double the way ECMAScript's <c>Number.prototype.toString()</c> does, which is the number
/// serialization RFC 8785 §3.2.2.3 prescribes (ECMA-262, "Number::toString").
/// </summary>
internal static class EcmaScriptNumber
{
    /// <summary>Enough for the longest form: a sign, 17 digits, a point and "e-324", or "0.00000" and 17 digits.</summary>
    public const int MaxLength = 32;

    // ECMA-262 switches to exponent notation once the decimal exponent n leaves (-6, 21].
    private const int MaxPlainExponent = 21;
    private const int MinPlainExponent = -6;

    public static string Format(double value)
    {
        Span<byte> text = stackalloc byte[MaxLength];
        return Encoding.ASCII.GetString(text[..Write(value, text)]);
    }

    /// <summary>Writes the ECMAScript form of <paramref name="value"/> as ASCII; returns how many bytes (at most <see cref="MaxLength"/>).</summary>
    public static int Write(double value, Span<byte> destination)
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
            destination[0] = (byte)'0';
            return 1;
        }

        Span<byte> digits = stackalloc byte[MaxLength];
        var k = ShortestDecimal(Math.Abs(value), digits, out var n);
        var written = 0;
        if (value < 0)
        {
            destination[written++] = (byte)'-';
        }

        return written + Layout(digits[..k], n, destination[written..]);
    }

    /// <summary>
    /// Writes the shortest digit string s (k digits, no leading or trailing zeros) and returns k, with the exponent n
    /// such that value = 0.s × 10^n: the "k, n, s" of ECMA-262 Number::toString step 5.
    /// </summary>
    private static int ShortestDecimal(double positive, Span<byte> digits, out int n)
    {
        // Since .NET Core 3.0, "R" yields the shortest digit string that round-trips to the same double, which is
        // exactly the s that ECMA-262 asks for. Its layout differs from ECMAScript's ("1.5E-07", "1E+21",
        // "1.2345678901234568E+20", "0.0001"), so only its digits and exponent are used.
        Span<byte> roundTrip = stackalloc byte[MaxLength];
        positive.TryFormat(roundTrip, out var length, "R", CultureInfo.InvariantCulture);
        roundTrip = roundTrip[..length];

        var exponent = 0;
        var e = roundTrip.IndexOf((byte)'E');
        if (e >= 0)
        {
            exponent = int.Parse(roundTrip[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            roundTrip = roundTrip[..e];
        }

        // The digits without the point; the point sat integerLength digits after their start.
        var point = roundTrip.IndexOf((byte)'.');
        var integerLength = point < 0 ? roundTrip.Length : point;
        var count = 0;
        foreach (var c in roundTrip)
        {
            if (c != '.')
            {
                digits[count++] = c;
            }
        }

        // Measured from the first significant digit instead, the point's position is ECMAScript's n.
        var leadingZeros = 0;
        while (leadingZeros < count && digits[leadingZeros] == '0')
        {
            leadingZeros++;
        }

        var end = count;
        while (end > leadingZeros && digits[end - 1] == '0')
        {
            end--;
        }

        digits[leadingZeros..end].CopyTo(digits);
        n = integerLength + exponent - leadingZeros;
        return end - leadingZeros;
    }

    /// <summary>ECMA-262 Number::toString steps 6-10, for a positive number with digits s and exponent n.</summary>
    private static int Layout(ReadOnlySpan<byte> s, int n, Span<byte> destination)
    {
        var k = s.Length;

        // Step 6: an integer below 10^21, e.g. 123456789012345680000.
        if (k <= n && n <= MaxPlainExponent)
        {
            s.CopyTo(destination);
            destination[k..n].Fill((byte)'0');
            return n;
        }

        // Step 7: the point falls inside the digits, e.g. 4.5.
        if (0 < n && n <= MaxPlainExponent)
        {
            s[..n].CopyTo(destination);
            destination[n] = (byte)'.';
            s[n..].CopyTo(destination[(n + 1)..]);
            return k + 1;
        }

        // Step 8: a small number down to 1e-6, written with leading zeros, e.g. 0.002.
        if (MinPlainExponent < n && n <= 0)
        {
            "0."u8.CopyTo(destination);
            destination.Slice(2, -n).Fill((byte)'0');
            s.CopyTo(destination[(2 - n)..]);
            return 2 - n + k;
        }

        // Steps 9-10: exponent notation with an explicit sign, e.g. 1e+21, 1.5e-7.
        var written = 0;
        destination[written++] = s[0];
        if (k > 1)
        {
            destination[written++] = (byte)'.';
            s[1..].CopyTo(destination[written..]);
            written += k - 1;
        }

        var exponent = n - 1;
        destination[written++] = (byte)'e';
        destination[written++] = exponent < 0 ? (byte)'-' : (byte)'+';
        Math.Abs(exponent).TryFormat(destination[written..], out var magnitude, default, CultureInfo.InvariantCulture);
        return written + magnitude;
    }
}

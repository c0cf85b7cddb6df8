using System.Globalization;
using FsCheck;
using FsCheck.Fluent;

namespace Ledger.EventStore.Tests.Canonical;

/// <summary>
/// FsCheck generators of JSON text: mostly valid, spelt in many ways (whitespace, escapes, number notations), with
/// now and then what RFC 8785 refuses (a lone surrogate, a name twice), so that errors are compared too.
/// </summary>
internal static class JsonText
{
    // Characters chosen for how they are written and sorted: ASCII, those RFC 8785 escapes, U+007F, two-, three- and
    // four-byte UTF-8 (U+E000-U+FFFF sorts after a surrogate pair in UTF-16 but before it in UTF-8), U+2028.
    private static readonly string[] Characters =
    [
        "a", "b", "B", "z", "0", "9", " ", "/", "\"", "\\", "\b", "\t", "\n", "\f", "\r", "\u0000", "\u0001", "\u001f", "\u007f",
        "\u0080", "\u00e9", "\u07ff", "\u0800", "\u20ac", "\u2028", "\ud7ff", "\ue000", "\ufb33", "\uffff",
        "\ud800\udc00", "\ud83d\ude02", "\udbff\udfff",
    ];

    private static readonly string[] LoneSurrogates = ["\ud800", "\udbff", "\udc00", "\udfff"];

    private static readonly Gen<string> Space = Gen.Elements("", "", "", " ", "\n", "\t", "\r\n  ");

    /// <summary>Text without lone surrogates, as a plain .NET string (for record fields).</summary>
    public static readonly Gen<string> PlainText =
        from count in Gen.Choose(0, 12)
        from parts in Gen.ArrayOf(Gen.Elements(Characters), count)
        select string.Concat(parts);

    /// <summary>Any JSON value, nested up to <paramref name="depth"/> levels.</summary>
    public static Gen<string> Value(int depth) => depth == 0
        ? Scalar
        : Gen.Frequency((4, Scalar), (1, Array(depth)), (2, Object(depth)));

    public static Gen<string> Object(int depth) =>
        from count in Gen.Choose(0, 6)
        from members in Gen.ArrayOf(from name in Name from space in Space from value in Value(depth - 1) select $"{name}{space}:{space}{value}", count)
        from space in Space
        select "{" + space + string.Join("," + space, members) + space + "}";

    private static Gen<string> Array(int depth) =>
        from count in Gen.Choose(0, 5)
        from items in Gen.ArrayOf(Value(depth - 1), count)
        from space in Space
        select "[" + space + string.Join(space + "," + space, items) + "]";

    private static Gen<string> Scalar => Gen.Frequency((1, Gen.Elements("true", "false", "null")), (3, Number), (3, Quoted(PlainText, 50)));

    // A few names often, so that objects hold both orders and now and then the same name twice (in any spelling).
    private static Gen<string> Name => Gen.Frequency(
        (3, Quoted(Gen.Elements("a", "b", "B", "aa", "10", "9", "\u00e9", "\ue000", "\ud83d\ude02", "\ufb33", "tenant_id"), 0)),
        (2, Quoted(PlainText, 100)));

    /// <summary>A JSON string holding <paramref name="text"/>, each character raw or escaped at random; one in <paramref name="loneOneIn"/> gets a lone surrogate.</summary>
    private static Gen<string> Quoted(Gen<string> text, int loneOneIn) =>
        from value in text
        from lone in loneOneIn == 0 ? Gen.Constant("") : Gen.Frequency((loneOneIn, Gen.Constant("")), (1, Gen.Elements(LoneSurrogates)))
        from seed in Gen.Choose(0, int.MaxValue)
        select Spell(value, lone, new Random(seed));

    // A lone surrogate has no UTF-8 form, so JSON text can only hold one escaped.
    private static string Spell(string value, string loneSurrogate, Random random)
    {
        var text = new System.Text.StringBuilder("\"");
        foreach (var c in value)
        {
            var mustEscape = c < 0x20 || c == '"' || c == '\\' || char.IsSurrogate(c) && random.Next(2) == 0;
            if (!mustEscape && random.Next(5) != 0)
            {
                text.Append(c);
                continue;
            }
            text.Append(c switch
            {
                '"' when random.Next(2) == 0 => "\\\"",
                '\\' when random.Next(2) == 0 => "\\\\",
                '\n' when random.Next(2) == 0 => "\\n",
                '\t' when random.Next(2) == 0 => "\\t",
                '/' => "\\/",
                _ => "\\u" + ((int)c).ToString(random.Next(2) == 0 ? "x4" : "X4", CultureInfo.InvariantCulture),
            });
        }
        foreach (var c in loneSurrogate)
            text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
        return text.Append('"').ToString();
    }

    private static Gen<string> Number => Gen.OneOf(
        ArbMap.Default.GeneratorFor<long>().Select(v => v.ToString(CultureInfo.InvariantCulture)),
        Gen.Choose(-1000, 1000).Select(v => v.ToString(CultureInfo.InvariantCulture)),
        Gen.Elements("0", "-0", "0.0", "-0.0", "1e21", "1E+21", "1e-7", "0.000001", "999999999999999999999", "9007199254740993",
            "123456789012345", "1234567890123456", "-999999999999999", "1e308", "2e-323", "5e-324", "1.7976931348623157e308"),
        from mantissa in Gen.Choose(0, 99_999_999)
        from fraction in Gen.Choose(0, 999_999)
        from exponent in Gen.Choose(-330, 330)
        from notation in Gen.Elements("e", "E", "e+", "E-", "e-")
        from negative in ArbMap.Default.GeneratorFor<bool>()
        select $"{(negative ? "-" : "")}{mantissa}.{fraction}{notation}{(notation.Length == 2 ? Math.Abs(exponent) : exponent)}",
        ArbMap.Default.GeneratorFor<long>().Select(BitConverter.Int64BitsToDouble).Where(double.IsFinite)
            .Select(v => v.ToString(v.GetHashCode() % 2 == 0 ? "R" : "E16", CultureInfo.InvariantCulture)));
}

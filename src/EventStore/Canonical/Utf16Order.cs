using System.Text;

namespace Ledger.EventStore.Canonical;

/// <summary>
/// RFC 8785 §3.2.3 orders property names as arrays of UTF-16 code units; this compares UTF-8 names in that order
/// without decoding them. Byte order in UTF-8 is code point order, which is the same except where a character above
/// U+FFFF (a surrogate pair in UTF-16, D800-DBFF first) meets one in U+E000-U+FFFF: there UTF-16 puts the pair first.
/// </summary>
internal static class Utf16Order
{
    public static int Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var common = a.CommonPrefixLength(b);
        if (common == a.Length || common == b.Length) return a.Length - b.Length;
        if (a[common] < 0x80 && b[common] < 0x80) return a[common] - b[common];

        // The names agree up to the character holding the first differing byte: compare that character.
        var start = common;
        while (start > 0 && (a[start] & 0xC0) == 0x80) start--;
        Rune.DecodeFromUtf8(a[start..], out var x, out _);
        Rune.DecodeFromUtf8(b[start..], out var y, out _);
        var byFirstUnit = FirstCodeUnit(x).CompareTo(FirstCodeUnit(y));
        return byFirstUnit != 0 ? byFirstUnit : x.Value.CompareTo(y.Value);
    }

    private static int FirstCodeUnit(Rune rune) => rune.IsBmp ? rune.Value : 0xD800 + ((rune.Value - 0x10000) >> 10);
}

namespace Ledger.Domain.TaxIds;

/// <summary>
/// Spanish tax ids (Orden EHA/451/2008). A NIF of a person is eight digits and a check letter, the remainder of the
/// number divided by 23 indexing <c>TRWAGMYFPDXBNJZSQVHLCKE</c>; K, L and M NIFs put a letter before seven digits.
/// A NIE swaps its leading X, Y or Z for 0, 1 or 2 and then checks like a NIF. A CIF (organisations) is a letter,
/// seven digits and a control character computed Luhn-style from the digits, written as a digit or as a letter of
/// <c>JABCDEFGHI</c> depending on the kind of organisation. An <c>ES</c> VAT prefix is accepted and dropped.
/// </summary>
internal static class SpanishTaxIds
{
    private const string NifLetters = "TRWAGMYFPDXBNJZSQVHLCKE";
    private const string CifLetters = "JABCDEFGHI";

    // Companies (A, B), communities of property (E) and building owners' associations (H) write a digit; public
    // bodies, churches, non-resident entities and the like (K, P, Q, R, S, N, W) a letter; the others may write either.
    private const string CifDigitOnly = "ABEH";
    private const string CifLetterOnly = "KPQRSNW";
    private const string CifKinds = "ABCDEFGHJNPQRSUVW";

    public static TaxIdCheck Check(string number)
    {
        if (number.Length == 11 && number.StartsWith("ES", StringComparison.Ordinal)) number = number[2..];
        if (number.Length != 9)
            return TaxIdCheck.Invalid(TaxIdErrors.InvalidFormat, "A Spanish tax id has nine characters.");

        var first = number[0];
        if (char.IsAsciiDigit(first)) return Nif(number);
        if (first is 'X' or 'Y' or 'Z') return Nie(number);
        if (first is 'K' or 'L' or 'M') return PrefixedNif(number);
        if (CifKinds.Contains(first, StringComparison.Ordinal)) return Cif(number);
        return TaxIdCheck.Invalid(TaxIdErrors.InvalidFormat, $"A Spanish tax id does not start with '{first}'.");
    }

    private static TaxIdCheck Nif(string number) =>
        Digits(number, 0, 8) && number[8] == NifLetters[(int)(long.Parse(number[..8], System.Globalization.CultureInfo.InvariantCulture) % 23)]
            ? Valid(TaxIdSchemes.SpanishNif, number)
            : TaxIdCheck.Invalid(TaxIdErrors.InvalidNif, "The NIF's check letter does not match its number.");

    private static TaxIdCheck PrefixedNif(string number) =>
        Digits(number, 1, 7) && number[8] == NifLetters[int.Parse(number[1..8], System.Globalization.CultureInfo.InvariantCulture) % 23]
            ? Valid(TaxIdSchemes.SpanishNif, number)
            : TaxIdCheck.Invalid(TaxIdErrors.InvalidNif, "The NIF's check letter does not match its number.");

    private static TaxIdCheck Nie(string number)
    {
        var asNif = "XYZ".IndexOf(number[0], StringComparison.Ordinal).ToString(System.Globalization.CultureInfo.InvariantCulture) + number[1..];
        return Digits(asNif, 0, 8) && asNif[8] == NifLetters[int.Parse(asNif[..8], System.Globalization.CultureInfo.InvariantCulture) % 23]
            ? Valid(TaxIdSchemes.SpanishNie, number)
            : TaxIdCheck.Invalid(TaxIdErrors.InvalidNie, "The NIE's check letter does not match its number.");
    }

    private static TaxIdCheck Cif(string number)
    {
        if (!Digits(number, 1, 7))
            return TaxIdCheck.Invalid(TaxIdErrors.InvalidCif, "A CIF has seven digits after its letter.");
        var control = CifControl(number.AsSpan(1, 7));
        var given = number[8];
        var kind = number[0];
        var asDigit = given == (char)('0' + control);
        var asLetter = given == CifLetters[control];
        var ok = CifDigitOnly.Contains(kind, StringComparison.Ordinal) ? asDigit
            : CifLetterOnly.Contains(kind, StringComparison.Ordinal) ? asLetter
            : asDigit || asLetter;
        return ok
            ? Valid(TaxIdSchemes.SpanishCif, number)
            : TaxIdCheck.Invalid(TaxIdErrors.InvalidCif, "The CIF's control character does not match its digits.");
    }

    /// <summary>Digits in odd places (1st, 3rd…) are doubled and their digits summed; the control tops the sum up to a multiple of ten.</summary>
    private static int CifControl(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[i] - '0';
            if (i % 2 == 0)
            {
                d *= 2;
                d = d / 10 + d % 10;
            }
            sum += d;
        }
        return (10 - sum % 10) % 10;
    }

    private static bool Digits(string text, int start, int count) =>
        text.Length >= start + count && text.AsSpan(start, count).ContainsAnyExceptInRange('0', '9') is false;

    private static TaxIdCheck Valid(string scheme, string number) => TaxIdCheck.Valid(TaxId.Checked("ES", scheme, number));
}

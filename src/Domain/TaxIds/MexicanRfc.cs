using System.Globalization;

namespace Ledger.Domain.TaxIds;

/// <summary>
/// The Mexican RFC (Registro Federal de Contribuyentes). A person's has four letters from the name, the date of birth
/// as YYMMDD and a three-character homoclave (13 characters); a company's has three letters, the date of
/// incorporation and the homoclave (12). The letters may include Ñ and &amp;. The date must exist: the century is not
/// written, so a date is accepted if it exists in the 1900s or the 2000s (29 February of "00" exists in 2000).
/// The homoclave's last character is a check digit (0–9 or A) whose computation SAT does not publish as a rule;
/// only its shape is checked. The generic RFCs XAXX010101000 and XEXX010101000 pass these rules as they are.
/// </summary>
internal static class MexicanRfc
{
    public static TaxIdCheck Check(string number)
    {
        var letters = number.Length switch
        {
            13 => 4,
            12 => 3,
            _ => -1,
        };
        if (letters < 0)
            return Invalid("An RFC has 12 characters (company) or 13 (person).");
        for (var i = 0; i < letters; i++)
            if (!(char.IsAsciiLetterUpper(number[i]) || number[i] is 'Ñ' or '&'))
                return Invalid($"An RFC starts with {letters} letters.");
        var date = number.AsSpan(letters, 6);
        if (date.ContainsAnyExceptInRange('0', '9'))
            return Invalid("An RFC has a date written as six digits (YYMMDD) after its letters.");
        if (!DateExists(date))
            return Invalid("The date in the RFC does not exist.");
        var homoclave = number.AsSpan(letters + 6);
        if (!char.IsAsciiLetterUpper(homoclave[0]) && !char.IsAsciiDigit(homoclave[0])
            || !char.IsAsciiLetterUpper(homoclave[1]) && !char.IsAsciiDigit(homoclave[1])
            || !(char.IsAsciiDigit(homoclave[2]) || homoclave[2] == 'A'))
            return Invalid("An RFC ends with a homoclave of two letters or digits and a check digit (0-9 or A).");
        return TaxIdCheck.Valid(TaxId.Checked("MX", TaxIdSchemes.MexicanRfc, number));
    }

    private static bool DateExists(ReadOnlySpan<char> yymmdd)
    {
        var yy = int.Parse(yymmdd[..2], CultureInfo.InvariantCulture);
        var mm = int.Parse(yymmdd.Slice(2, 2), CultureInfo.InvariantCulture);
        var dd = int.Parse(yymmdd.Slice(4, 2), CultureInfo.InvariantCulture);
        return mm is >= 1 and <= 12 && dd >= 1
            && (dd <= DateTime.DaysInMonth(1900 + yy, mm) || dd <= DateTime.DaysInMonth(2000 + yy, mm));
    }

    private static TaxIdCheck Invalid(string reason) => TaxIdCheck.Invalid(TaxIdErrors.InvalidRfc, reason);
}

using System.Text;

namespace Ledger.Domain.TaxIds;

/// <summary>
/// Checks a tax id by the rules of the country that issued it: Spain (NIF, NIE, CIF check letter or digit), Mexico
/// (RFC structure and date of birth or incorporation), Brazil (CPF and CNPJ check digits). Numbers of other countries
/// are accepted when they look like an identifier (2–20 letters and digits), since Ledger knows no rule to check.
/// </summary>
public static class TaxIdValidator
{
    public const int MaxOtherLength = 20;

    public static TaxIdCheck Check(string? country, string? value)
    {
        var code = (country ?? "").Trim().ToUpperInvariant();
        if (code.Length != 2 || !code.All(char.IsAsciiLetterUpper))
            return TaxIdCheck.Invalid(TaxIdErrors.InvalidCountry, "The country must be an ISO 3166-1 alpha-2 code such as ES.");
        var number = Normalise(value);
        if (number.Length == 0)
            return TaxIdCheck.Invalid(TaxIdErrors.Required, "A tax id is required.");

        return code switch
        {
            "ES" => SpanishTaxIds.Check(number),
            "MX" => MexicanRfc.Check(number),
            "BR" => BrazilianTaxIds.Check(number),
            _ => number.Length <= MaxOtherLength && number.Length >= 2 && number.All(char.IsAsciiLetterOrDigit)
                ? TaxIdCheck.Valid(TaxId.Checked(code, TaxIdSchemes.Other, number))
                : TaxIdCheck.Invalid(TaxIdErrors.InvalidFormat, $"A tax id must be 2 to {MaxOtherLength} letters and digits."),
        };
    }

    /// <summary>Upper case, without the separators people write (spaces, dots, dashes, slashes).</summary>
    internal static string Normalise(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return "";
        var text = new StringBuilder(value.Length);
        foreach (var c in value.Trim())
            if (c is not (' ' or '.' or '-' or '/' or '\t')) text.Append(char.ToUpperInvariant(c));
        return text.ToString();
    }
}

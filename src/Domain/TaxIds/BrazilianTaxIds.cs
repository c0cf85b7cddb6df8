namespace Ledger.Domain.TaxIds;

/// <summary>
/// Brazilian tax ids, told apart by length. A CPF (people) is nine digits and two check digits, each the sum of the
/// preceding digits weighted 10..2 (then 11..2) taken modulo 11: ten times the sum mod 11, with 10 written as 0.
/// A CNPJ (companies) is twelve characters and two check digits with weights 5,4,3,2,9..2 (then 6,5,4,3,2,9..2):
/// remainders 0 and 1 give 0, any other r gives 11 − r. From July 2026 the Receita Federal issues alphanumeric
/// CNPJs whose first twelve characters may be letters, each valued as its ASCII code minus 48 — the same rule
/// already gives digits their value, so both forms are checked alike. Numbers of one repeated digit
/// (000.000.000-00, 11.111.111/1111-11…) pass the arithmetic but are not valid and are refused.
/// </summary>
internal static class BrazilianTaxIds
{
    private static readonly int[] CnpjWeights = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];

    public static TaxIdCheck Check(string number) => number.Length switch
    {
        11 => Cpf(number),
        14 => Cnpj(number),
        _ => TaxIdCheck.Invalid(TaxIdErrors.InvalidFormat, "A Brazilian tax id is a CPF (11 digits) or a CNPJ (14 characters)."),
    };

    private static TaxIdCheck Cpf(string number)
    {
        if (number.AsSpan().ContainsAnyExceptInRange('0', '9') || AllSame(number))
            return TaxIdCheck.Invalid(TaxIdErrors.InvalidCpf, "A CPF is eleven digits, not all the same.");
        var ok = number[9] - '0' == CpfDigit(number.AsSpan(0, 9)) && number[10] - '0' == CpfDigit(number.AsSpan(0, 10));
        return ok
            ? TaxIdCheck.Valid(TaxId.Checked("BR", TaxIdSchemes.BrazilianCpf, number))
            : TaxIdCheck.Invalid(TaxIdErrors.InvalidCpf, "The CPF's check digits do not match.");
    }

    private static int CpfDigit(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++) sum += (digits[i] - '0') * (digits.Length + 1 - i);
        var r = sum * 10 % 11;
        return r == 10 ? 0 : r;
    }

    private static TaxIdCheck Cnpj(string number)
    {
        var body = number.AsSpan(0, 12);
        var ok = !AllSame(number)
            && !body.ContainsAnyExcept("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            && char.IsAsciiDigit(number[12]) && char.IsAsciiDigit(number[13])
            && number[12] - '0' == CnpjDigit(body)
            && number[13] - '0' == CnpjDigit(number.AsSpan(0, 13));
        return ok
            ? TaxIdCheck.Valid(TaxId.Checked("BR", TaxIdSchemes.BrazilianCnpj, number))
            : TaxIdCheck.Invalid(TaxIdErrors.InvalidCnpj, "The CNPJ's check digits do not match.");
    }

    /// <summary>The weights end in …9..2 at the digit before the one computed: take the tail of the longest list.</summary>
    private static int CnpjDigit(ReadOnlySpan<char> chars)
    {
        var weights = CnpjWeights.AsSpan(CnpjWeights.Length - chars.Length);
        var sum = 0;
        for (var i = 0; i < chars.Length; i++) sum += (chars[i] - '0') * weights[i];
        var r = sum % 11;
        return r < 2 ? 0 : 11 - r;
    }

    private static bool AllSame(string number) => number.AsSpan().IndexOfAnyExcept(number[0]) < 0;
}

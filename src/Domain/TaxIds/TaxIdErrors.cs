namespace Ledger.Domain.TaxIds;

/// <summary>
/// Why a tax id was not accepted. The codes are part of Ledger's public contract (a request with such a tax id is
/// answered 400 with the code) and are never renamed.
/// </summary>
public static class TaxIdErrors
{
    public const string Required = "tax_id.required";
    public const string InvalidCountry = "tax_id.invalid_country";
    public const string InvalidFormat = "tax_id.invalid_format";
    public const string InvalidNif = "tax_id.invalid_nif";
    public const string InvalidNie = "tax_id.invalid_nie";
    public const string InvalidCif = "tax_id.invalid_cif";
    public const string InvalidRfc = "tax_id.invalid_rfc";
    public const string InvalidCpf = "tax_id.invalid_cpf";
    public const string InvalidCnpj = "tax_id.invalid_cnpj";

    public static IReadOnlyList<string> All { get; } =
        [Required, InvalidCountry, InvalidFormat, InvalidNif, InvalidNie, InvalidCif, InvalidRfc, InvalidCpf, InvalidCnpj];
}

/// <summary>The outcome of checking a tax id: the normalised number, or the code and reason it was refused.</summary>
public sealed record TaxIdCheck(TaxId? TaxId, string? ErrorCode, string? Reason)
{
    public bool IsValid => TaxId is not null;

    internal static TaxIdCheck Valid(TaxId taxId) => new(taxId, null, null);

    internal static TaxIdCheck Invalid(string code, string reason) => new(null, code, reason);
}

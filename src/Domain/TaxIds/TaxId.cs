namespace Ledger.Domain.TaxIds;

/// <summary>
/// A customer's or issuer's tax identification number, normalised (upper case, no separators) and tagged with the
/// scheme it was checked against (<c>es.nif</c>, <c>mx.rfc</c>, <c>br.cnpj</c>…). New values come only from
/// <see cref="TaxIdValidator.Check"/>; <see cref="Restore"/> rebuilds one from a recorded event without checking it
/// again, because a recorded fact stays what it was even if a check rule changes later.
/// </summary>
public sealed record TaxId
{
    private TaxId(string country, string scheme, string value)
    {
        Country = country;
        Scheme = scheme;
        Value = value;
    }

    /// <summary>ISO 3166-1 alpha-2 country that issued the number (<c>ES</c>).</summary>
    public string Country { get; }

    /// <summary>Which kind of number it is, as a stable lower-case word (<see cref="TaxIdSchemes"/>).</summary>
    public string Scheme { get; }

    /// <summary>The number, upper case, without spaces, dots, dashes or slashes.</summary>
    public string Value { get; }

    internal static TaxId Checked(string country, string scheme, string value) => new(country, scheme, value);

    public static TaxId Restore(string country, string scheme, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(country);
        ArgumentException.ThrowIfNullOrWhiteSpace(scheme);
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        return new TaxId(country, scheme, value);
    }

    public override string ToString() => $"{Country}:{Value}";
}

/// <summary>The schemes Ledger checks. Numbers of other countries are kept as given, under <see cref="Other"/>.</summary>
public static class TaxIdSchemes
{
    /// <summary>Spanish NIF of a person: DNI number (or K/L/M prefix) with its check letter.</summary>
    public const string SpanishNif = "es.nif";

    /// <summary>Spanish NIE of a foreign resident: X/Y/Z, seven digits, check letter.</summary>
    public const string SpanishNie = "es.nie";

    /// <summary>Spanish CIF of an organisation: letter, seven digits, check digit or letter.</summary>
    public const string SpanishCif = "es.cif";

    /// <summary>Mexican RFC of a person (13 characters) or a company (12).</summary>
    public const string MexicanRfc = "mx.rfc";

    /// <summary>Brazilian CPF of a person (11 digits).</summary>
    public const string BrazilianCpf = "br.cpf";

    /// <summary>Brazilian CNPJ of a company (14 characters, numeric or the alphanumeric form from 2026).</summary>
    public const string BrazilianCnpj = "br.cnpj";

    /// <summary>A number of a country whose rules Ledger does not check: only its shape is.</summary>
    public const string Other = "other";
}

namespace Ledger.Domain.Invoicing;

/// <summary>
/// What a tax category is taxed at under one version of a tenant's rules: <paramref name="Rate"/> in percent
/// (21 for 21 %). <paramref name="Exempt"/> marks an exemption, which a tax return reports apart from a 0 % rate.
/// </summary>
public sealed record TaxRate(string Category, decimal Rate, bool Exempt);

/// <summary>
/// One version of a tenant's tax rules, in force from <paramref name="EffectiveFrom"/> until a later version takes
/// over. An invoice records the version it used and the rate of each line, so a later change never alters it.
/// </summary>
public sealed record TaxRuleSet(int Version, DateOnly EffectiveFrom, IReadOnlyList<TaxRate> Rates)
{
    public TaxRate? Find(string category) => Rates.FirstOrDefault(r => string.Equals(r.Category, category, StringComparison.Ordinal));
}

/// <summary>
/// The rates a tenant starts with (its rules version 1) until it publishes its own: Spanish VAT 21/10/4/0 %,
/// Mexican IVA 16/0 %, and an exemption. Categories name what is taxed, not the rate, so a new version can change a
/// rate without clients changing the category they send.
/// </summary>
public static class StatutoryTaxRates
{
    public static readonly DateOnly EffectiveFrom = new(2000, 1, 1);

    public static IReadOnlyList<TaxRate> Initial { get; } =
    [
        new("es.vat.general", 21m, false),
        new("es.vat.reduced", 10m, false),
        new("es.vat.super_reduced", 4m, false),
        new("es.vat.zero", 0m, false),
        new("mx.iva.general", 16m, false),
        new("mx.iva.zero", 0m, false),
        new("exempt", 0m, true),
    ];
}

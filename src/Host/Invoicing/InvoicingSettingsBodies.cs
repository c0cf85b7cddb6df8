using System.Globalization;
using System.Text.Json;
using Ledger.Application.Invoicing.Settings;
using Ledger.Domain.Invoicing;

namespace Ledger.Host.Invoicing;

// Bodies and answers of the invoicing settings endpoints (snake_case). Rates travel as decimal strings, never numbers.

/// <summary>The whole issuer profile: a PUT replaces it.</summary>
public sealed record IssuerProfileBody
{
    public required string LegalName { get; init; }
    public required string Country { get; init; }
    public string? TaxId { get; init; }
    public required string FunctionalCurrency { get; init; }
    public required string TimeZone { get; init; }
    public required string InvoiceSeries { get; init; }
    public required string CreditNoteSeries { get; init; }
    public string? DefaultTaxCategory { get; init; }
    public bool Verifactu { get; init; }
}

/// <summary>A new tax rule version: every category it defines, in force from <c>effective_from</c> (yyyy-MM-dd).</summary>
public sealed record PublishTaxRulesBody
{
    public required string EffectiveFrom { get; init; }
    public required IReadOnlyList<TaxRateBody> Rates { get; init; }
}

public sealed record TaxRateBody
{
    public required string Category { get; init; }
    public required JsonElement Rate { get; init; }
    public bool Exempt { get; init; }
}

public sealed record ExchangeRateBody
{
    public required JsonElement Rate { get; init; }
}

public sealed record IssuerProfileView(
    string LegalName, string? Country, string? TaxId, string FunctionalCurrency, string TimeZone, string InvoiceSeries,
    string CreditNoteSeries, string? DefaultTaxCategory, bool Verifactu, long Version)
{
    public static IssuerProfileView From(IssuerProfile p, long version)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new(p.LegalName, p.Country, p.TaxId?.Value, p.FunctionalCurrency, p.TimeZone, p.InvoiceSeries, p.CreditNoteSeries,
            p.DefaultTaxCategory, p.VeriFactu, version);
    }
}

public sealed record TaxRateView(string Category, string Rate, bool Exempt)
{
    public static TaxRateView From(TaxRate r) => new(r.Category, InvoiceView.M(r.Rate), r.Exempt);
}

public sealed record TaxRuleVersionView(int Version, DateOnly EffectiveFrom, string? PublishedBy, IReadOnlyList<TaxRateView> Rates)
{
    public static TaxRuleVersionView From(TaxRuleSet rules, string? publishedBy) =>
        new(rules.Version, rules.EffectiveFrom, publishedBy, [.. rules.Rates.Select(TaxRateView.From)]);
}

/// <summary>Every version, oldest first; <c>stream_version</c> is the ETag a publication's If-Match names.</summary>
public sealed record TaxRulesView(IReadOnlyList<TaxRuleVersionView> Versions, long StreamVersion);

/// <summary>The categories an invoice issued on <c>on</c> may use: those of the version in force that day.</summary>
public sealed record TaxCategoriesView(DateOnly On, int RulesVersion, IReadOnlyList<TaxRateView> Categories);

public sealed record ExchangeRateView(string Currency, string FunctionalCurrency, DateOnly ValidOn, string Rate)
{
    public static ExchangeRateView From((string Currency, string FunctionalCurrency, DateOnly ValidOn, decimal Rate) r) =>
        new(r.Currency, r.FunctionalCurrency, r.ValidOn, r.Rate.ToString(CultureInfo.InvariantCulture));
}

public sealed record ExchangeRatesView(IReadOnlyList<ExchangeRateView> Rates);

/// <summary>The answer to a settings change: the settings stream's version afterwards (its new ETag) and the position.</summary>
public sealed record SettingsWrittenView(string Stream, long Version, string? Position);

/// <summary>Another billing system's last VERI*FACTU record, its XML exactly as it was sent (at most 64 KiB).</summary>
public sealed record PredecessorBody
{
    public required string RecordXml { get; init; }
}

using Ledger.Application.Invoicing.Events;
using Ledger.Application.Json;
using Ledger.Domain.Invoicing;

namespace Ledger.Application.Invoicing.Settings;

/// <summary>An issuer profile as set (<c>fiscal.issuer.profile_set</c> v1); <c>source</c> says who set it and how.</summary>
public sealed record IssuerProfileSetV1(
    string LegalName, string Country, string? TaxId, string FunctionalCurrency, string TimeZone, string InvoiceSeries,
    string CreditNoteSeries, string? DefaultTaxCategory, bool Verifactu, string Source);

/// <summary>A tax rule version as published (<c>fiscal.tax_rules.published</c> v1).</summary>
public sealed record TaxRulesPublishedV1(int Version, DateOnly EffectiveFrom, IReadOnlyList<TaxRateV1> Rates);

public sealed record TaxRateV1(string Category, decimal Rate, bool Exempt);

/// <summary>An exchange rate as set (<c>fiscal.exchange_rate.set</c> v1): one <c>currency</c> = <c>rate</c> functional units from <c>valid_on</c>.</summary>
public sealed record ExchangeRateSetV1(string Currency, string FunctionalCurrency, DateOnly ValidOn, decimal Rate);

/// <summary>
/// Invoicing settings as events, one stream each per tenant: <c>fiscal-issuer</c>, <c>fiscal-tax-rules</c> and
/// <c>fiscal-exchange-rates-{CUR}</c>. A trigger (migration 0301) applies each to its settings table in the append's
/// transaction, so what issuing reads changes exactly when the event commits. Internal events: never published.
/// </summary>
public static class SettingsEventCodec
{
    public const string IssuerProfileSet = "fiscal.issuer.profile_set";
    public const string TaxRulesPublished = "fiscal.tax_rules.published";
    public const string ExchangeRateSet = "fiscal.exchange_rate.set";

    /// <summary>The stored shape of each event type and version this codec writes: how Marten stores and names them.</summary>
    public static IEnumerable<(string EventType, int TypeVersion, Type Shape)> StoredShapes { get; } =
    [
        (IssuerProfileSet, 1, typeof(IssuerProfileSetV1)), (TaxRulesPublished, 1, typeof(TaxRulesPublishedV1)),
        (ExchangeRateSet, 1, typeof(ExchangeRateSetV1)),
    ];

    public const string IssuerStream = "fiscal-issuer";
    public const string TaxRulesStream = "fiscal-tax-rules";

    public static IReadOnlyList<string> EventTypes { get; } = [IssuerProfileSet, TaxRulesPublished, ExchangeRateSet];

    public static string ExchangeRatesStream(string currency) => $"fiscal-exchange-rates-{currency}";

    public static EncodedEvent Encode(IssuerProfile p, string source)
    {
        ArgumentNullException.ThrowIfNull(p);
        return FiscalJson.Write(IssuerProfileSet, new IssuerProfileSetV1(p.LegalName, p.Country!, p.TaxId?.Value, p.FunctionalCurrency,
            p.TimeZone, p.InvoiceSeries, p.CreditNoteSeries, p.DefaultTaxCategory, p.VeriFactu, source));
    }

    public static EncodedEvent Encode(TaxRuleSet rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        return FiscalJson.Write(TaxRulesPublished,
            new TaxRulesPublishedV1(rules.Version, rules.EffectiveFrom, [.. rules.Rates.Select(r => new TaxRateV1(r.Category, r.Rate, r.Exempt))]));
    }

    public static EncodedEvent Encode(ExchangeRateSetV1 rate) => FiscalJson.Write(ExchangeRateSet, rate);
}

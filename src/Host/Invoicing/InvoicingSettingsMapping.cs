using System.Globalization;
using System.Text.RegularExpressions;
using Ledger.Application.Invoicing.Settings;
using Ledger.Domain.Invoicing;
using Ledger.Host.Http;

namespace Ledger.Host.Invoicing;

/// <summary>
/// Checks the form of settings requests (400, <c>validation.*</c>, per field) before the application checks what
/// needs the tenant's data (the default tax category in force, a tax id by its country's rules).
/// </summary>
public static partial class InvoicingSettingsMapping
{
    public static IssuerProfileInput Issuer(IssuerProfileBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var v = new RequestValidation();
        v.Text("legal_name", body.LegalName, 200);
        if (!CountryCode().IsMatch(body.Country)) v.Fail("country", RequestValidation.InvalidFormat, "must be an ISO 3166-1 alpha-2 code such as ES");
        if (body.TaxId is not null) v.Text("tax_id", body.TaxId, 40);
        Currency(v, "functional_currency", body.FunctionalCurrency);
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(v.Text("time_zone", body.TimeZone, 64), out _))
            v.Fail("time_zone", RequestValidation.InvalidFormat, "must be an IANA time zone such as Europe/Madrid");
        Series(v, "invoice_series", body.InvoiceSeries);
        Series(v, "credit_note_series", body.CreditNoteSeries);
        if (body.DefaultTaxCategory is not null && !TaxRuleBook.IsCategory(body.DefaultTaxCategory))
            v.Fail("default_tax_category", RequestValidation.InvalidFormat, "must be 1 to 64 lower-case letters, digits and . _ -");
        v.ThrowIfInvalid();
        return new IssuerProfileInput(body.LegalName, body.Country, body.TaxId, body.FunctionalCurrency, body.TimeZone, body.InvoiceSeries,
            body.CreditNoteSeries, body.DefaultTaxCategory, body.Verifactu);
    }

    public static (DateOnly EffectiveFrom, IReadOnlyList<TaxRate> Rates) TaxRules(PublishTaxRulesBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var v = new RequestValidation();
        var from = Date(v, "effective_from", body.EffectiveFrom);
        if (body.Rates.Count is 0 or > TaxRuleBook.MaxRates) v.Fail("rates", RequestValidation.OutOfRange, $"must hold between 1 and {TaxRuleBook.MaxRates} categories");
        var rates = body.Rates.Take(TaxRuleBook.MaxRates).Select((r, i) =>
        {
            if (!TaxRuleBook.IsCategory(r.Category))
                v.Fail($"rates[{i}].category", RequestValidation.InvalidFormat, "must be 1 to 64 lower-case letters, digits and . _ -");
            var rate = v.Money($"rates[{i}].rate", r.Rate);
            if (rate > 100 || decimal.Round(rate, 4) != rate) v.Fail($"rates[{i}].rate", RequestValidation.OutOfRange, "must be a percentage from 0 to 100 with at most 4 decimals");
            if (r.Exempt && rate != 0) v.Fail($"rates[{i}].rate", RequestValidation.OutOfRange, "must be 0 for an exemption");
            return new TaxRate(r.Category, rate, r.Exempt);
        }).ToList();
        foreach (var twice in rates.GroupBy(r => r.Category, StringComparer.Ordinal).Where(g => g.Count() > 1))
            v.Fail("rates", RequestValidation.InvalidFormat, $"names category '{twice.Key}' more than once");
        v.ThrowIfInvalid();
        return (from, rates);
    }

    public static (string Currency, DateOnly ValidOn, decimal Rate) ExchangeRate(string currency, string validOn, ExchangeRateBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var v = new RequestValidation();
        Currency(v, "currency", currency);
        var date = Date(v, "valid_on", validOn);
        var rate = v.Money("rate", body.Rate); // positive: the application's check, with the currency's
        v.ThrowIfInvalid();
        return (currency, date, rate);
    }

    public static DateOnly? OptionalDate(string field, string? value)
    {
        if (value is null) return null;
        var v = new RequestValidation();
        var date = Date(v, field, value);
        v.ThrowIfInvalid();
        return date;
    }

    public static string? OptionalCurrency(string field, string? value)
    {
        if (value is null) return null;
        var v = new RequestValidation();
        Currency(v, field, value);
        v.ThrowIfInvalid();
        return value;
    }

    private static DateOnly Date(RequestValidation v, string field, string? value)
    {
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
        v.Fail(field, RequestValidation.InvalidFormat, "must be a date yyyy-MM-dd");
        return default;
    }

    private static void Currency(RequestValidation v, string field, string? value)
    {
        if (value is null || !CurrencyCode().IsMatch(value)) v.Fail(field, RequestValidation.InvalidFormat, "must be a three-letter ISO 4217 code such as EUR");
    }

    private static void Series(RequestValidation v, string field, string? value)
    {
        if (!InvoiceNumber.IsValidSeries(value ?? ""))
            v.Fail(field, RequestValidation.InvalidFormat, "must be upper-case letters, digits and dashes (at most 20)");
    }

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyCode();

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex CountryCode();
}

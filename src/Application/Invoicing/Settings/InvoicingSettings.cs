using Ledger.Domain.Invoicing;
using Ledger.EventStore;

namespace Ledger.Application.Invoicing.Settings;

/// <summary>
/// Changes a tenant's invoicing settings — its issuer profile, a new tax rule version, an exchange rate — as events
/// appended with the settings stream's version expected: <paramref name="expected"/> (a client's <c>If-Match</c>)
/// when given, else the version just read. A stale version is a <see cref="ConcurrencyException"/> (409); nothing is
/// written. Setting what is already set changes nothing and appends nothing.
/// </summary>
public sealed class InvoicingSettings(IEventStore store, IssuerProfiles issuers, TaxRuleBook taxRules, ExchangeRates exchangeRates)
{
    /// <summary>The issuer's default tax category must be a category of the rules in force.</summary>
    public const string UnknownTaxCategory = "validation.unknown_tax_category";

    /// <exception cref="ValidationError">a field is invalid, or the default tax category is not in the rules in force.</exception>
    public async Task<CommandResult> SetIssuerAsync(CommandContext context, IssuerProfileInput input, long? expected, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var profile = IssuerProfiles.Validate(input);
        if (profile.DefaultTaxCategory is { } category)
        {
            var rules = await taxRules.InForceAsync(context.TenantId, profile.DateOf(context.Now), ct).ConfigureAwait(false);
            if (rules.Find(category) is null)
                throw new ValidationError(UnknownTaxCategory, "The default tax category is not in the tax rules in force.",
                    new Dictionary<string, string[]> { ["default_tax_category"] = [$"'{category}' is not a category of tax rules version {rules.Version}"] });
        }
        var stream = SettingsEventCodec.IssuerStream;
        var version = await VersionOf(context.TenantId, stream, ct).ConfigureAwait(false);
        var current = await issuers.FindAsync(context.TenantId, ct).ConfigureAwait(false);
        if (current == profile && (expected is null || expected == version)) return new CommandResult(stream, version, null, 0);
        return await AppendAsync(context, stream, expected ?? version, SettingsEventCodec.Encode(profile, context.Origin), ct).ConfigureAwait(false);
    }

    /// <summary>Publishes the next tax rule version, in force from <paramref name="effectiveFrom"/>.</summary>
    /// <exception cref="ValidationError"><c>tax_rules.invalid</c>: no rates, a category twice, a rate outside 0–100.</exception>
    public async Task<(CommandResult Result, TaxRuleSet Rules)> PublishTaxRulesAsync(
        CommandContext context, DateOnly effectiveFrom, IReadOnlyList<TaxRate> rates, long? expected, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(rates);
        TaxRuleBook.Validate(rates);
        var stream = SettingsEventCodec.TaxRulesStream;
        var streamVersion = await VersionOf(context.TenantId, stream, ct).ConfigureAwait(false);
        // The number follows the versions already published (version 1, the statutory rates, is no event); the append
        // expects the stream as read, so two publications at once cannot take the same number.
        var number = await taxRules.LatestVersionAsync(context.TenantId, ct).ConfigureAwait(false) + 1;
        var published = new TaxRuleSet(number, effectiveFrom, rates);
        var result = await AppendAsync(context, stream, expected ?? streamVersion, SettingsEventCodec.Encode(published), ct).ConfigureAwait(false);
        return (result, published);
    }

    /// <summary>Sets the rate of <paramref name="currency"/> to the issuer's functional currency from <paramref name="validOn"/>.</summary>
    /// <exception cref="ValidationError">the rate is not positive, or the currency is the functional currency.</exception>
    public async Task<CommandResult> SetExchangeRateAsync(
        CommandContext context, string currency, DateOnly validOn, decimal rate, long? expected, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var profile = await issuers.ForAsync(context.TenantId, ct).ConfigureAwait(false);
        var errors = new Dictionary<string, string[]>();
        if (rate <= 0) errors["rate"] = ["must be positive"];
        if (currency == profile.FunctionalCurrency) errors["currency"] = [$"is the functional currency ({currency}): its rate is 1"];
        if (errors.Count > 0) throw new ValidationError(ExchangeRates.Invalid, "The exchange rate is invalid.", errors);
        var stream = SettingsEventCodec.ExchangeRatesStream(currency);
        var version = await VersionOf(context.TenantId, stream, ct).ConfigureAwait(false);
        if (expected is null && await exchangeRates.ExactAsync(context.TenantId, currency, profile.FunctionalCurrency, validOn, ct).ConfigureAwait(false) == rate)
            return new CommandResult(stream, version, null, 0);
        var set = new ExchangeRateSetV1(currency, profile.FunctionalCurrency, validOn, rate);
        return await AppendAsync(context, stream, expected ?? version, SettingsEventCodec.Encode(set), ct).ConfigureAwait(false);
    }

    /// <summary>The version of a settings stream: its ETag.</summary>
    public async Task<long> VersionOf(string tenantId, string stream, CancellationToken ct = default)
    {
        var events = await store.ReadStreamAsync(tenantId, stream, 1, ct).ConfigureAwait(false);
        return events.Count == 0 ? 0 : events[^1].StreamVersion;
    }

    private async Task<CommandResult> AppendAsync(CommandContext context, string stream, long expected, Json.EncodedEvent e, CancellationToken ct)
    {
        var result = await store.AppendAsync(context.TenantId,
            [new StreamAppend(stream, ExpectedVersion.Exactly(expected), [FiscalEvents.ToAppend(e, context)])], ct).ConfigureAwait(false);
        return new CommandResult(stream, result.StreamVersions[stream], result.LastPosition, 1);
    }
}

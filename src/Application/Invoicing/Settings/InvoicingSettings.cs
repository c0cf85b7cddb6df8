using Ledger.Domain.Invoicing;
using Ledger.EventStore;
using Ledger.EventStore.MartenStore;
using Marten;

namespace Ledger.Application.Invoicing.Settings;

/// <summary>
/// Changes a tenant's invoicing settings — its issuer profile, a new tax rule version, an exchange rate — as events
/// staged on a command's Marten session (which its caller commits, with the command's audit entry), each expecting
/// the settings stream's version: <c>expected</c> (a client's <c>If-Match</c>) when given, else the version just read.
/// A stale expected version is a <see cref="ConcurrencyException"/> (409) and nothing is written; a race lost without
/// one is Marten's conflict at commit, which the handler decides again (<see cref="InvoicingSettingsHandler"/>).
/// Setting what is already set changes nothing and appends nothing.
/// </summary>
public sealed class InvoicingSettings(MartenEventStore store, IssuerProfiles issuers, TaxRuleBook taxRules, ExchangeRates exchangeRates)
{
    /// <summary>The issuer's default tax category must be a category of the rules in force.</summary>
    public const string UnknownTaxCategory = "validation.unknown_tax_category";

    /// <exception cref="ValidationError">a field is invalid, or the default tax category is not in the rules in force.</exception>
    public async Task<SettingsWritten> SetIssuerAsync(IDocumentSession session, ICommandJournal journal, CommandContext context,
        IssuerProfileInput input, long? expected, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(session);
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
        var current = await issuers.FindAsync(context.TenantId, ct).ConfigureAwait(false);
        var version = await VersionOfAsync(session, stream, ct).ConfigureAwait(false);
        if (current == profile && (expected is null || expected == version)) return new SettingsWritten(stream, version, null);
        return await StageAsync(session, journal, context, stream, Expect(context, stream, expected, version),
            SettingsEventCodec.Encode(profile, context.Origin), ct).ConfigureAwait(false);
    }

    /// <summary>Publishes the next tax rule version, in force from <paramref name="effectiveFrom"/>.</summary>
    /// <exception cref="ValidationError"><c>tax_rules.invalid</c>: no rates, a category twice, a rate outside 0–100.</exception>
    public async Task<TaxRulesPublished> PublishTaxRulesAsync(IDocumentSession session, ICommandJournal journal, CommandContext context,
        DateOnly effectiveFrom, IReadOnlyList<TaxRate> rates, long? expected, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(rates);
        TaxRuleBook.Validate(rates);
        var stream = SettingsEventCodec.TaxRulesStream;
        // The number follows the versions already published (version 1, the statutory rates, is no event); the append
        // expects the stream as read, so two publications at once cannot take the same number.
        var number = await taxRules.LatestVersionAsync(context.TenantId, ct).ConfigureAwait(false) + 1;
        var version = await VersionOfAsync(session, stream, ct).ConfigureAwait(false);
        var published = new TaxRuleSet(number, effectiveFrom, rates);
        var written = await StageAsync(session, journal, context, stream, Expect(context, stream, expected, version),
            SettingsEventCodec.Encode(published), ct).ConfigureAwait(false);
        return new TaxRulesPublished(written, published);
    }

    /// <summary>Sets the rate of <paramref name="currency"/> to the issuer's functional currency from <paramref name="validOn"/>.</summary>
    /// <exception cref="ValidationError">the rate is not positive, or the currency is the functional currency.</exception>
    public async Task<SettingsWritten> SetExchangeRateAsync(IDocumentSession session, ICommandJournal journal, CommandContext context,
        string currency, DateOnly validOn, decimal rate, long? expected, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(context);
        var profile = await issuers.ForAsync(context.TenantId, ct).ConfigureAwait(false);
        var errors = new Dictionary<string, string[]>();
        if (rate <= 0) errors["rate"] = ["must be positive"];
        if (currency == profile.FunctionalCurrency) errors["currency"] = [$"is the functional currency ({currency}): its rate is 1"];
        if (errors.Count > 0) throw new ValidationError(ExchangeRates.Invalid, "The exchange rate is invalid.", errors);
        var stream = SettingsEventCodec.ExchangeRatesStream(currency);
        var unchanged = expected is null
            && await exchangeRates.ExactAsync(context.TenantId, currency, profile.FunctionalCurrency, validOn, ct).ConfigureAwait(false) == rate;
        var version = await VersionOfAsync(session, stream, ct).ConfigureAwait(false);
        if (unchanged) return new SettingsWritten(stream, version, null);
        var set = new ExchangeRateSetV1(currency, profile.FunctionalCurrency, validOn, rate);
        return await StageAsync(session, journal, context, stream, Expect(context, stream, expected, version), SettingsEventCodec.Encode(set), ct)
            .ConfigureAwait(false);
    }

    /// <summary>The version of a settings stream in the session's tenant: its ETag (0 while nothing was set).</summary>
    public static async Task<long> VersionOfAsync(IQuerySession session, string stream, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        return (await session.Events.FetchStreamStateAsync(stream, ct).ConfigureAwait(false))?.Version ?? 0;
    }

    // An If-Match that no longer holds is refused at once: retrying it could never succeed.
    private static long Expect(CommandContext context, string stream, long? expected, long version) =>
        expected is null || expected == version ? version
            : throw new ConcurrencyException(context.TenantId, stream, ExpectedVersion.Exactly(expected.Value), version);

    private async Task<SettingsWritten> StageAsync(IDocumentSession session, ICommandJournal journal, CommandContext context, string stream,
        long expected, Json.EncodedEvent e, CancellationToken ct)
    {
        StreamAppend[] appends = [new StreamAppend(stream, ExpectedVersion.Exactly(expected), [FiscalEvents.ToAppend(e, context)])];
        var append = store.Stage(session, appends);
        await journal.RecordAcceptedAsync(session, context, stream, FiscalEvents.Written(appends), ct).ConfigureAwait(false);
        return new SettingsWritten(stream, expected + 1, append);
    }
}

/// <summary>
/// What a settings command did on its stream: its version after, and the append staged when it changed anything
/// (its position is known once the command's session has committed, which is when the sender reads it).
/// </summary>
public sealed record SettingsWritten(string StreamId, long Version, MartenAppend? Appended)
{
    public CommandResult Result => CommandResult.Staged(StreamId, Version, Appended);
}

/// <summary>A tax rule version published: the command's write and the rules as numbered.</summary>
public sealed record TaxRulesPublished(SettingsWritten Written, TaxRuleSet Rules);

using System.CommandLine;
using Ledger.Host.Invoicing;

namespace Ledger.Host.Cli;

/// <summary>
/// <c>ledger invoicing issuer|tax-rules|tax-categories|exchange-rates …</c> (alias <c>settings</c>, the name issue 14
/// gives it): a tenant's invoicing settings, for
/// operators at the database (ConnectionStrings:Ledger). Bodies are the API's (docs/invoicing.md), inline or
/// <c>--file</c>; each change is validated, versioned (<c>--if-match</c>) and audited exactly as through the API.
/// Output is JSON on standard output; a refusal is the problem as JSON on standard error, exit code 1.
/// </summary>
internal static class InvoicingCommand
{
    public static Command Create()
    {
        var command = new Command("invoicing", "A tenant's invoicing settings: issuer profile, tax rules and categories, exchange rates.");
        command.Aliases.Add("settings");
        command.Subcommands.Add(Issuer());
        command.Subcommands.Add(TaxRules());
        command.Subcommands.Add(TaxCategories());
        command.Subcommands.Add(ExchangeRates());
        return command;
    }

    private static Option<string> Tenant() => new("--tenant") { Description = "The tenant whose settings these are.", Required = true };

    private static Option<long?> IfMatch() => new("--if-match") { Description = "The settings version you read (ETag); refused (409) if it moved on." };

    private static Option<string?> Body(string what) => new("--body") { Description = $"{what} as JSON." };

    private static Option<string?> BodyFile() => new("--file") { Description = "A file holding the body (instead of --body)." };

    private static Command Issuer()
    {
        var issuer = new Command("issuer", "The issuer profile.");
        var tenant = Tenant();
        var show = new Command("show", "Print the issuer profile.") { tenant };
        show.SetAction((parse, ct) => InvoicingCliSession.ReadAsync(parse, parse.GetRequiredValue(tenant), async s =>
        {
            var tenantId = parse.GetRequiredValue(tenant);
            return await s.Issuers.FindAsync(tenantId, ct) is { } profile
                ? IssuerProfileView.From(profile, await s.VersionOfAsync(Application.Invoicing.Settings.SettingsEventCodec.IssuerStream, ct))
                : new { code = "issuer.not_found" };
        }));
        issuer.Subcommands.Add(show);

        var setTenant = Tenant();
        var body = Body("The whole profile (PUT /api/invoicing/issuer)");
        var file = BodyFile();
        var ifMatch = IfMatch();
        var set = new Command("set", "Set (replace) the issuer profile.") { setTenant, body, file, ifMatch };
        set.SetAction((parse, ct) => InvoicingCliSession.ChangeAsync(parse, parse.GetRequiredValue(setTenant), "invoicing issuer set", async s =>
        {
            var input = InvoicingSettingsMapping.Issuer(InvoicingCliSession.Body<IssuerProfileBody>(parse.GetValue(body), parse.GetValue(file)));
            var result = (await s.RunAsync(Application.Invoicing.Settings.SettingsEventCodec.IssuerStream,
                (session, journal, t) => s.Settings.SetIssuerAsync(session, journal, s.Context, input, parse.GetValue(ifMatch), t), ct)).Result;
            return new SettingsWrittenView(result.StreamId, result.Version, result.Position?.ToString());
        }, ct));
        issuer.Subcommands.Add(set);
        return issuer;
    }

    private static Command TaxRules()
    {
        var rules = new Command("tax-rules", "Tax rule versions, each in force from its effective date.");
        var tenant = Tenant();
        var list = new Command("list", "Print every version with its rates.") { tenant };
        list.SetAction((parse, ct) => InvoicingCliSession.ReadAsync(parse, parse.GetRequiredValue(tenant), async s =>
        {
            var tenantId = parse.GetRequiredValue(tenant);
            var versions = await s.TaxRules.VersionsAsync(tenantId, ct);
            return new TaxRulesView([.. versions.Select(v => TaxRuleVersionView.From(v.Rules, v.PublishedBy))],
                await s.VersionOfAsync(Application.Invoicing.Settings.SettingsEventCodec.TaxRulesStream, ct));
        }));
        rules.Subcommands.Add(list);

        var publishTenant = Tenant();
        var body = Body("The version (POST /api/invoicing/tax-rules)");
        var file = BodyFile();
        var ifMatch = IfMatch();
        var publish = new Command("publish", "Publish the next version.") { publishTenant, body, file, ifMatch };
        publish.SetAction((parse, ct) => InvoicingCliSession.ChangeAsync(parse, parse.GetRequiredValue(publishTenant), "invoicing tax-rules publish", async s =>
        {
            var (from, rates) = InvoicingSettingsMapping.TaxRules(InvoicingCliSession.Body<PublishTaxRulesBody>(parse.GetValue(body), parse.GetValue(file)));
            var published = await s.RunAsync(Application.Invoicing.Settings.SettingsEventCodec.TaxRulesStream,
                (session, journal, t) => s.Settings.PublishTaxRulesAsync(session, journal, s.Context, from, rates, parse.GetValue(ifMatch), t), ct);
            return TaxRuleVersionView.From(published.Rules, s.Context.Actor);
        }, ct));
        rules.Subcommands.Add(publish);
        return rules;
    }

    private static Command TaxCategories()
    {
        var tenant = Tenant();
        var on = new Option<string?>("--on") { Description = "The date (yyyy-MM-dd; default: today, UTC)." };
        var categories = new Command("tax-categories", "Print the categories and rates in force on a date.") { tenant, on };
        categories.SetAction((parse, ct) => InvoicingCliSession.ReadAsync(parse, parse.GetRequiredValue(tenant), async s =>
        {
            var date = InvoicingSettingsMapping.OptionalDate("on", parse.GetValue(on)) ?? DateOnly.FromDateTime(DateTime.UtcNow);
            var inForce = await s.TaxRules.InForceAsync(parse.GetRequiredValue(tenant), date, ct);
            return new TaxCategoriesView(date, inForce.Version, [.. inForce.Rates.Select(TaxRateView.From)]);
        }));
        return categories;
    }

    private static Command ExchangeRates()
    {
        var rates = new Command("exchange-rates", "Exchange rates to the functional currency, each from its date on.");
        var tenant = Tenant();
        var only = new Option<string?>("--currency") { Description = "Only this currency." };
        var list = new Command("list", "Print the rates.") { tenant, only };
        list.SetAction((parse, ct) => InvoicingCliSession.ReadAsync(parse, parse.GetRequiredValue(tenant), async s =>
        {
            var currency = InvoicingSettingsMapping.OptionalCurrency("currency", parse.GetValue(only));
            var found = await s.ExchangeRates.ListAsync(parse.GetRequiredValue(tenant), currency, InvoicingSettingsEndpoints.MaxRates, ct);
            return new ExchangeRatesView([.. found.Select(ExchangeRateView.From)]);
        }));
        rates.Subcommands.Add(list);

        var setTenant = Tenant();
        var currency = new Option<string>("--currency") { Description = "ISO 4217 code (USD).", Required = true };
        var validOn = new Option<string>("--valid-on") { Description = "First day the rate applies (yyyy-MM-dd).", Required = true };
        var rate = new Option<string>("--rate") { Description = "Functional units per unit of the currency, a decimal (0.9234).", Required = true };
        var ifMatch = IfMatch();
        var set = new Command("set", "Set a rate.") { setTenant, currency, validOn, rate, ifMatch };
        set.SetAction((parse, ct) => InvoicingCliSession.ChangeAsync(parse, parse.GetRequiredValue(setTenant), "invoicing exchange-rates set", async s =>
        {
            var body = new ExchangeRateBody { Rate = System.Text.Json.JsonSerializer.SerializeToElement(parse.GetRequiredValue(rate)) };
            var (code, date, value) = InvoicingSettingsMapping.ExchangeRate(parse.GetRequiredValue(currency), parse.GetRequiredValue(validOn), body);
            var result = (await s.RunAsync(Application.Invoicing.Settings.SettingsEventCodec.ExchangeRatesStream(code),
                (session, journal, t) => s.Settings.SetExchangeRateAsync(session, journal, s.Context, code, date, value, parse.GetValue(ifMatch), t), ct)).Result;
            return new SettingsWrittenView(result.StreamId, result.Version, result.Position?.ToString());
        }, ct));
        rates.Subcommands.Add(set);
        return rates;
    }
}

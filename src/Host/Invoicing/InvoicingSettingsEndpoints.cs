using Ledger.Application;
using Ledger.Application.Invoicing;
using Ledger.Application.Invoicing.Settings;
using Ledger.Application.Invoicing.VeriFactu;
using Ledger.Host.Auth;
using Ledger.Host.Errors;
using Ledger.Host.Http;
using Ledger.Host.WritePath;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ledger.Host.Invoicing;

/// <summary>
/// A tenant's invoicing settings: its issuer profile, its tax rules (versioned, each in force from its date) and
/// categories, its exchange rates. The tenant is the token's; writes need <c>tenant_admin</c> and go through the write
/// path (audit entry, Idempotency-Key), and each is an event whose stream version is the ETag that If-Match names.
/// </summary>
public static class InvoicingSettingsEndpoints
{
    public const string Tag = "Invoicing settings";
    public const int MaxRates = 1000;

    public static IEndpointRouteBuilder MapInvoicingSettings(this IEndpointRouteBuilder app)
    {
        var settings = app.MapGroup("/api/invoicing").WithTags(Tag).WithWritePath(SettingsEntity, "currency");
        settings.MapGet("/issuer", GetIssuer).RequireAuthorization(InvoicingServices.ReadSettings)
            .WithName("getIssuerProfile").WithSummary("The tenant's issuer profile")
            .Produces(StatusCodes.Status404NotFound);
        settings.MapPut("/issuer", SetIssuer).RequireAuthorization(InvoicingServices.WriteSettings).Accepts<IssuerProfileBody>("application/json")
            .WithName("setIssuerProfile").WithSummary("Set (replace) the tenant's issuer profile")
            .Produces(StatusCodes.Status400BadRequest).Produces(StatusCodes.Status409Conflict);
        settings.MapGet("/tax-rules", GetTaxRules).RequireAuthorization(InvoicingServices.ReadSettings)
            .WithName("listTaxRuleVersions").WithSummary("Every version of the tenant's tax rules");
        settings.MapPost("/tax-rules", PublishTaxRules).RequireAuthorization(InvoicingServices.WriteSettings).Accepts<PublishTaxRulesBody>("application/json")
            .WithName("publishTaxRules").WithSummary("Publish a new tax rule version with its effective date")
            .Produces(StatusCodes.Status400BadRequest).Produces(StatusCodes.Status409Conflict);
        settings.MapGet("/tax-categories", GetTaxCategories).RequireAuthorization(InvoicingServices.ReadSettings)
            .WithName("listTaxCategories").WithSummary("The tax categories and rates in force on a date")
            .Produces(StatusCodes.Status400BadRequest).Produces(StatusCodes.Status422UnprocessableEntity);
        settings.MapGet("/exchange-rates", GetExchangeRates).RequireAuthorization(InvoicingServices.ReadSettings)
            .WithName("listExchangeRates").WithSummary("The tenant's exchange rates to its functional currency")
            .Produces(StatusCodes.Status400BadRequest);
        settings.MapPut("/exchange-rates/{currency}/{validOn}", SetExchangeRate).RequireAuthorization(InvoicingServices.WriteSettings)
            .Accepts<ExchangeRateBody>("application/json")
            .WithName("setExchangeRate").WithSummary("Set a currency's exchange rate from a date on")
            .Produces(StatusCodes.Status400BadRequest).Produces(StatusCodes.Status409Conflict);
        var verifactu = app.MapGroup("/api/verifactu").WithTags(Tag).WithWritePath(InvoiceStreams.VeriFactu);
        verifactu.MapPost("/predecessor", RecordPredecessor).RequireAuthorization(InvoicingServices.WriteSettings)
            .Accepts<PredecessorBody>("application/json")
            .WithName("recordVeriFactuPredecessor").WithSummary("Start the VERI*FACTU chain from another billing system's last record")
            .Produces(StatusCodes.Status400BadRequest).Produces(StatusCodes.Status409Conflict).Produces(StatusCodes.Status422UnprocessableEntity);
        return app;
    }

    /// <summary>
    /// The chain continues the given record (its XML as sent to the AEAT, verified over its own field strings); its
    /// answer is the record as the chain lists it.
    /// </summary>
    internal static async Task<Created<VeriFactuRecordView>> RecordPredecessor(
        HttpContext http, VeriFactuPredecessor predecessor, TimeProvider clock, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<PredecessorBody>(http.Request, ct);
        var v = new RequestValidation();
        if (string.IsNullOrWhiteSpace(body.RecordXml)) v.Fail("record_xml", RequestValidation.Required, "is required");
        v.ThrowIfInvalid();
        var (result, record) = await predecessor.RecordAsync(HttpCommandContext.From(http, clock), body.RecordXml, ct);
        Written(http, result);
        return TypedResults.Created("/api/verifactu/records", VeriFactuRecordView.From(record));
    }

    /// <summary>What a refused settings command is recorded about (<c>fiscal-settings</c>, or <c>fiscal-settings-USD</c> for a rate).</summary>
    public const string SettingsEntity = "fiscal-settings";

    internal static async Task<Results<Ok<IssuerProfileView>, ProblemHttpResult>> GetIssuer(
        HttpContext http, IssuerProfiles issuers, InvoicingSettings settings, CancellationToken ct)
    {
        var tenant = http.User.TenantId();
        // Reading never provides the development default: a tenant without a profile is told so.
        if (await issuers.FindAsync(tenant, ct) is not { } profile)
            return Problems.Result(StatusCodes.Status404NotFound, "issuer.not_found", "The tenant has no issuer profile");
        var version = await settings.VersionOf(tenant, SettingsEventCodec.IssuerStream, ct);
        http.Response.Headers.ETag = ETags.Of(version);
        return TypedResults.Ok(IssuerProfileView.From(profile, version));
    }

    internal static async Task<Ok<SettingsWrittenView>> SetIssuer(HttpContext http, InvoicingSettings settings, TimeProvider clock, CancellationToken ct)
    {
        var expected = ETags.ExpectedVersion(http.Request);
        var input = InvoicingSettingsMapping.Issuer(await JsonBody.ReadAsync<IssuerProfileBody>(http.Request, ct));
        var result = await settings.SetIssuerAsync(HttpCommandContext.From(http, clock), input, expected, ct);
        return TypedResults.Ok(Written(http, result));
    }

    internal static async Task<Ok<TaxRulesView>> GetTaxRules(HttpContext http, TaxRuleBook rules, InvoicingSettings settings, CancellationToken ct)
    {
        var tenant = http.User.TenantId();
        var versions = await rules.VersionsAsync(tenant, ct);
        var streamVersion = await settings.VersionOf(tenant, SettingsEventCodec.TaxRulesStream, ct);
        http.Response.Headers.ETag = ETags.Of(streamVersion);
        return TypedResults.Ok(new TaxRulesView([.. versions.Select(v => TaxRuleVersionView.From(v.Rules, v.PublishedBy))], streamVersion));
    }

    internal static async Task<Created<TaxRuleVersionView>> PublishTaxRules(HttpContext http, InvoicingSettings settings, TimeProvider clock, CancellationToken ct)
    {
        var expected = ETags.ExpectedVersion(http.Request);
        var (from, rates) = InvoicingSettingsMapping.TaxRules(await JsonBody.ReadAsync<PublishTaxRulesBody>(http.Request, ct));
        var context = HttpCommandContext.From(http, clock);
        var (result, published) = await settings.PublishTaxRulesAsync(context, from, rates, expected, ct);
        Written(http, result);
        return TypedResults.Created("/api/invoicing/tax-rules", TaxRuleVersionView.From(published, context.Actor));
    }

    /// <summary>The categories in force on <c>on</c> (yyyy-MM-dd; default: today in the issuer's time zone).</summary>
    internal static async Task<Ok<TaxCategoriesView>> GetTaxCategories(
        HttpContext http, TaxRuleBook rules, IssuerProfiles issuers, TimeProvider clock, string? on, CancellationToken ct)
    {
        var tenant = http.User.TenantId();
        var date = InvoicingSettingsMapping.OptionalDate("on", on)
            ?? ((await issuers.FindAsync(tenant, ct)) ?? IssuerProfile.Unconfigured).DateOf(clock.GetUtcNow());
        var inForce = await rules.InForceAsync(tenant, date, ct);
        return TypedResults.Ok(new TaxCategoriesView(date, inForce.Version, [.. inForce.Rates.Select(TaxRateView.From)]));
    }

    internal static async Task<Ok<ExchangeRatesView>> GetExchangeRates(HttpContext http, ExchangeRates rates, string? currency, CancellationToken ct)
    {
        var only = InvoicingSettingsMapping.OptionalCurrency("currency", currency);
        var list = await rates.ListAsync(http.User.TenantId(), only, MaxRates, ct);
        return TypedResults.Ok(new ExchangeRatesView([.. list.Select(ExchangeRateView.From)]));
    }

    internal static async Task<Ok<SettingsWrittenView>> SetExchangeRate(
        string currency, string validOn, HttpContext http, InvoicingSettings settings, TimeProvider clock, CancellationToken ct)
    {
        var expected = ETags.ExpectedVersion(http.Request);
        var (code, date, rate) = InvoicingSettingsMapping.ExchangeRate(currency, validOn, await JsonBody.ReadAsync<ExchangeRateBody>(http.Request, ct));
        var result = await settings.SetExchangeRateAsync(HttpCommandContext.From(http, clock), code, date, rate, expected, ct);
        return TypedResults.Ok(Written(http, result));
    }

    private static SettingsWrittenView Written(HttpContext http, CommandResult result)
    {
        http.Response.Headers.ETag = ETags.Of(result.Version);
        if (result.Position is { } position) http.Response.Headers["X-Ledger-Position"] = position.ToString();
        return new SettingsWrittenView(result.StreamId, result.Version, result.Position?.ToString());
    }
}

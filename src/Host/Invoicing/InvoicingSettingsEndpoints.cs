using Ledger.Application;
using Ledger.Application.Invoicing;
using Ledger.Application.Invoicing.Settings;
using Ledger.Application.Invoicing.VeriFactu;
using Ledger.Host.Auth;
using Ledger.Host.Errors;
using Ledger.Host.Http;
using Ledger.Host.WritePath;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Ledger.Host.Invoicing;

/// <summary>
/// A tenant's invoicing settings: its issuer profile, its tax rules (versioned, each in force from its date) and
/// categories, its exchange rates. The tenant is the token's; writes need <c>tenant_admin</c> and go through the write
/// path (audit entry, Idempotency-Key), and each is an event whose stream version is the ETag that If-Match names.
/// Wolverine HTTP endpoints; bodies read by Ledger's strict <see cref="JsonBody"/>.
/// </summary>
[Tags(Tag)]
[WritePathMetadata(SettingsEntity, "currency")]
public static class InvoicingSettingsEndpoints
{
    public const string Tag = "Invoicing settings";
    public const int MaxRates = 1000;

    /// <summary>What a refused settings command is recorded about (<c>fiscal-settings</c>, or <c>fiscal-settings-USD</c> for a rate).</summary>
    public const string SettingsEntity = "fiscal-settings";

    [WolverineGet("/api/invoicing/issuer", OperationId = "getIssuerProfile"), EndpointSummary("The tenant's issuer profile")]
    [Authorize(Policy = InvoicingServices.ReadSettings), ProducesResponseType(StatusCodes.Status404NotFound)]
    public static async Task<Results<Ok<IssuerProfileView>, ProblemHttpResult>> GetIssuer(
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

    [WolverinePut("/api/invoicing/issuer", OperationId = "setIssuerProfile"), EndpointSummary("Set (replace) the tenant's issuer profile")]
    [Authorize(Policy = InvoicingServices.WriteSettings), AcceptsJson(typeof(IssuerProfileBody))]
    [ProducesResponseType(StatusCodes.Status400BadRequest), ProducesResponseType(StatusCodes.Status409Conflict)]
    public static async Task<Ok<SettingsWrittenView>> SetIssuer(HttpContext http, InvoicingSettings settings, TimeProvider clock, CancellationToken ct)
    {
        var expected = ETags.ExpectedVersion(http.Request);
        var input = InvoicingSettingsMapping.Issuer(await JsonBody.ReadAsync<IssuerProfileBody>(http.Request, ct));
        var result = await settings.SetIssuerAsync(HttpCommandContext.From(http, clock), input, expected, ct);
        return TypedResults.Ok(Written(http, result));
    }

    [WolverineGet("/api/invoicing/tax-rules", OperationId = "listTaxRuleVersions"), EndpointSummary("Every version of the tenant's tax rules")]
    [Authorize(Policy = InvoicingServices.ReadSettings)]
    public static async Task<Ok<TaxRulesView>> GetTaxRules(HttpContext http, TaxRuleBook rules, InvoicingSettings settings, CancellationToken ct)
    {
        var tenant = http.User.TenantId();
        var versions = await rules.VersionsAsync(tenant, ct);
        var streamVersion = await settings.VersionOf(tenant, SettingsEventCodec.TaxRulesStream, ct);
        http.Response.Headers.ETag = ETags.Of(streamVersion);
        return TypedResults.Ok(new TaxRulesView([.. versions.Select(v => TaxRuleVersionView.From(v.Rules, v.PublishedBy))], streamVersion));
    }

    [WolverinePost("/api/invoicing/tax-rules", OperationId = "publishTaxRules"), EndpointSummary("Publish a new tax rule version with its effective date")]
    [Authorize(Policy = InvoicingServices.WriteSettings), AcceptsJson(typeof(PublishTaxRulesBody))]
    [ProducesResponseType(StatusCodes.Status400BadRequest), ProducesResponseType(StatusCodes.Status409Conflict)]
    public static async Task<Created<TaxRuleVersionView>> PublishTaxRules(HttpContext http, InvoicingSettings settings, TimeProvider clock, CancellationToken ct)
    {
        var expected = ETags.ExpectedVersion(http.Request);
        var (from, rates) = InvoicingSettingsMapping.TaxRules(await JsonBody.ReadAsync<PublishTaxRulesBody>(http.Request, ct));
        var context = HttpCommandContext.From(http, clock);
        var (result, published) = await settings.PublishTaxRulesAsync(context, from, rates, expected, ct);
        Written(http, result);
        return TypedResults.Created("/api/invoicing/tax-rules", TaxRuleVersionView.From(published, context.Actor));
    }

    /// <summary>The categories in force on <c>on</c> (yyyy-MM-dd; default: today in the issuer's time zone).</summary>
    [WolverineGet("/api/invoicing/tax-categories", OperationId = "listTaxCategories"), EndpointSummary("The tax categories and rates in force on a date")]
    [Authorize(Policy = InvoicingServices.ReadSettings)]
    [ProducesResponseType(StatusCodes.Status400BadRequest), ProducesResponseType(StatusCodes.Status422UnprocessableEntity)]
    public static async Task<Ok<TaxCategoriesView>> GetTaxCategories(
        HttpContext http, TaxRuleBook rules, IssuerProfiles issuers, TimeProvider clock, string? on, CancellationToken ct)
    {
        var tenant = http.User.TenantId();
        var date = InvoicingSettingsMapping.OptionalDate("on", on)
            ?? ((await issuers.FindAsync(tenant, ct)) ?? IssuerProfile.Unconfigured).DateOf(clock.GetUtcNow());
        var inForce = await rules.InForceAsync(tenant, date, ct);
        return TypedResults.Ok(new TaxCategoriesView(date, inForce.Version, [.. inForce.Rates.Select(TaxRateView.From)]));
    }

    [WolverineGet("/api/invoicing/exchange-rates", OperationId = "listExchangeRates"), EndpointSummary("The tenant's exchange rates to its functional currency")]
    [Authorize(Policy = InvoicingServices.ReadSettings), ProducesResponseType(StatusCodes.Status400BadRequest)]
    public static async Task<Ok<ExchangeRatesView>> GetExchangeRates(HttpContext http, ExchangeRates rates, string? currency, CancellationToken ct)
    {
        var only = InvoicingSettingsMapping.OptionalCurrency("currency", currency);
        var list = await rates.ListAsync(http.User.TenantId(), only, MaxRates, ct);
        return TypedResults.Ok(new ExchangeRatesView([.. list.Select(ExchangeRateView.From)]));
    }

    [WolverinePut("/api/invoicing/exchange-rates/{currency}/{validOn}", OperationId = "setExchangeRate")]
    [EndpointSummary("Set a currency's exchange rate from a date on")]
    [Authorize(Policy = InvoicingServices.WriteSettings), AcceptsJson(typeof(ExchangeRateBody))]
    [ProducesResponseType(StatusCodes.Status400BadRequest), ProducesResponseType(StatusCodes.Status409Conflict)]
    public static async Task<Ok<SettingsWrittenView>> SetExchangeRate(
        string currency, string validOn, HttpContext http, InvoicingSettings settings, TimeProvider clock, CancellationToken ct)
    {
        var expected = ETags.ExpectedVersion(http.Request);
        var (code, date, rate) = InvoicingSettingsMapping.ExchangeRate(currency, validOn, await JsonBody.ReadAsync<ExchangeRateBody>(http.Request, ct));
        var result = await settings.SetExchangeRateAsync(HttpCommandContext.From(http, clock), code, date, rate, expected, ct);
        return TypedResults.Ok(Written(http, result));
    }

    /// <summary>
    /// The chain continues the given record (its XML as sent to the AEAT, verified over its own field strings); its
    /// answer is the record as the chain lists it.
    /// </summary>
    [WolverinePost("/api/verifactu/predecessor", OperationId = "recordVeriFactuPredecessor")]
    [EndpointSummary("Start the VERI*FACTU chain from another billing system's last record")]
    [Authorize(Policy = InvoicingServices.WriteSettings), AcceptsJson(typeof(PredecessorBody)), WritePathMetadata(InvoiceStreams.VeriFactu)]
    [ProducesResponseType(StatusCodes.Status400BadRequest), ProducesResponseType(StatusCodes.Status409Conflict), ProducesResponseType(StatusCodes.Status422UnprocessableEntity)]
    public static async Task<Created<VeriFactuRecordView>> RecordPredecessor(
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

    private static SettingsWrittenView Written(HttpContext http, CommandResult result)
    {
        http.Response.Headers.ETag = ETags.Of(result.Version);
        if (result.Position is { } position) http.Response.Headers["X-Ledger-Position"] = position.ToString();
        return new SettingsWrittenView(result.StreamId, result.Version, result.Position?.ToString());
    }
}

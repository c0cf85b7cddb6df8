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
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine;
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
        HttpContext http, IssuerProfiles issuers, IDocumentStore store, CancellationToken ct)
    {
        var tenant = http.User.TenantId();
        // Reading never provides the development default: a tenant without a profile is told so.
        if (await issuers.FindAsync(tenant, ct) is not { } profile)
            return Problems.Result(StatusCodes.Status404NotFound, "issuer.not_found", "The tenant has no issuer profile");
        await using var session = store.QuerySession(tenant);
        var version = await InvoicingSettings.VersionOfAsync(session, SettingsEventCodec.IssuerStream, ct);
        http.Response.Headers.ETag = ETags.Of(version);
        return TypedResults.Ok(IssuerProfileView.From(profile, version));
    }

    [WolverinePut("/api/invoicing/issuer", OperationId = "setIssuerProfile"), EndpointSummary("Set (replace) the tenant's issuer profile")]
    [Authorize(Policy = InvoicingServices.WriteSettings), AcceptsJson(typeof(IssuerProfileBody))]
    [ProducesResponseType(StatusCodes.Status400BadRequest), ProducesResponseType(StatusCodes.Status409Conflict)]
    public static async Task<Ok<SettingsWrittenView>> SetIssuer(HttpContext http, IMessageBus bus, TimeProvider clock, CancellationToken ct)
    {
        var expected = ETags.ExpectedVersion(http.Request);
        var input = InvoicingSettingsMapping.Issuer(await JsonBody.ReadAsync<IssuerProfileBody>(http.Request, ct));
        var written = await Send<SettingsWritten>(http, bus, new SetIssuerProfile(input, expected, HttpCommandContext.From(http, clock)),
            SettingsEventCodec.IssuerStream, expected, w => w, ct);
        return TypedResults.Ok(Written(http, written.Result));
    }

    [WolverineGet("/api/invoicing/tax-rules", OperationId = "listTaxRuleVersions"), EndpointSummary("Every version of the tenant's tax rules")]
    [Authorize(Policy = InvoicingServices.ReadSettings)]
    public static async Task<Ok<TaxRulesView>> GetTaxRules(HttpContext http, TaxRuleBook rules, IDocumentStore store, CancellationToken ct)
    {
        var tenant = http.User.TenantId();
        var versions = await rules.VersionsAsync(tenant, ct);
        await using var session = store.QuerySession(tenant);
        var streamVersion = await InvoicingSettings.VersionOfAsync(session, SettingsEventCodec.TaxRulesStream, ct);
        http.Response.Headers.ETag = ETags.Of(streamVersion);
        return TypedResults.Ok(new TaxRulesView([.. versions.Select(v => TaxRuleVersionView.From(v.Rules, v.PublishedBy))], streamVersion));
    }

    [WolverinePost("/api/invoicing/tax-rules", OperationId = "publishTaxRules"), EndpointSummary("Publish a new tax rule version with its effective date")]
    [Authorize(Policy = InvoicingServices.WriteSettings), AcceptsJson(typeof(PublishTaxRulesBody))]
    [ProducesResponseType(StatusCodes.Status400BadRequest), ProducesResponseType(StatusCodes.Status409Conflict)]
    public static async Task<Created<TaxRuleVersionView>> PublishTaxRules(HttpContext http, IMessageBus bus, TimeProvider clock, CancellationToken ct)
    {
        var expected = ETags.ExpectedVersion(http.Request);
        var (from, rates) = InvoicingSettingsMapping.TaxRules(await JsonBody.ReadAsync<PublishTaxRulesBody>(http.Request, ct));
        var context = HttpCommandContext.From(http, clock);
        var published = await Send<TaxRulesPublished>(http, bus, new PublishTaxRules(from, rates, expected, context),
            SettingsEventCodec.TaxRulesStream, expected, p => p.Written, ct);
        Written(http, published.Written.Result);
        return TypedResults.Created("/api/invoicing/tax-rules", TaxRuleVersionView.From(published.Rules, context.Actor));
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
        string currency, string validOn, HttpContext http, IMessageBus bus, TimeProvider clock, CancellationToken ct)
    {
        var expected = ETags.ExpectedVersion(http.Request);
        var (code, date, rate) = InvoicingSettingsMapping.ExchangeRate(currency, validOn, await JsonBody.ReadAsync<ExchangeRateBody>(http.Request, ct));
        var written = await Send<SettingsWritten>(http, bus, new SetExchangeRate(code, date, rate, expected, HttpCommandContext.From(http, clock)),
            SettingsEventCodec.ExchangeRatesStream(code), expected, w => w, ct);
        return TypedResults.Ok(Written(http, written.Result));
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
        HttpContext http, IMessageBus bus, TimeProvider clock, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<PredecessorBody>(http.Request, ct);
        var v = new RequestValidation();
        if (string.IsNullOrWhiteSpace(body.RecordXml)) v.Fail("record_xml", RequestValidation.Required, "is required");
        v.ThrowIfInvalid();
        var recorded = await Send<PredecessorRecorded>(http, bus, new RecordVeriFactuPredecessor(body.RecordXml, HttpCommandContext.From(http, clock)),
            InvoiceStreams.VeriFactu, null, r => r.Written, ct);
        Written(http, recorded.Written.Result);
        return TypedResults.Created("/api/verifactu/records", VeriFactuRecordView.From(recorded.Record));
    }

    /// <summary>Has Wolverine run the command (<see cref="InvoicingSettingsHandler"/>); <paramref name="written"/> finds its write in the answer.</summary>
    private static Task<T> Send<T>(HttpContext http, IMessageBus bus, object command, string stream, long? expected,
        Func<T, SettingsWritten> written, CancellationToken ct) =>
        WriteCommands.InvokeAsync<T>(http, bus, command, stream, expected, answer => written(answer).Appended is not null, ct);

    private static SettingsWrittenView Written(HttpContext http, CommandResult result)
    {
        http.Response.Headers.ETag = ETags.Of(result.Version);
        if (result.Position is { } position) http.Response.Headers["X-Ledger-Position"] = position.ToString();
        return new SettingsWrittenView(result.StreamId, result.Version, result.Position?.ToString());
    }
}

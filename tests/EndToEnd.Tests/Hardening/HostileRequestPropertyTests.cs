using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Xunit;
using Ledger.Application.Audit;
using Ledger.EndToEnd.Tests.Audit;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.EndToEnd.Tests.Hardening;

/// <summary>
/// Issue 12, section 1: generated hostile requests — broken JSON, wrong types, odd numbers, lone surrogates, NUL, long
/// strings, duplicate keys, every kind of <c>Accept</c> — sent to every endpoint the Host maps (read from its endpoint
/// data source, so a new endpoint is covered without touching this test). None is answered with a 5xx, every 4xx is a
/// problem with a <c>code</c>, and nothing is written but the refusals' audit entries.
/// </summary>
public sealed class HostileRequestPropertyTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>
{
    /// <summary>A valid body per write route, for the damage to land in the fields a handler reads; any other gets <c>{}</c>.</summary>
    private static readonly Dictionary<string, string> ValidBodies = new(StringComparer.Ordinal)
    {
        ["POST /api/orders"] = OrderApi.CreateBody,
        ["POST /api/orders/{id}/payments"] = """{"amount":"25.00","payment_reference":"psp-1"}""",
        ["POST /api/orders/{id}/payment-failures"] = """{"reason":"card declined"}""",
        ["POST /api/orders/{id}/cancellation"] = """{"reason":"changed mind"}""",
        ["POST /api/invoices"] = """
            {"series":"A-2026","customer":{"customer_id":"cust-1","tax_id":{"country":"ES","value":"B12345674"},"name":"Ada"},
             "currency":"EUR","exchange_rate":"1",
             "lines":[{"description":"Paper","quantity":"3","unit_price":"10.00","discount_percent":"10","tax_category":"es.vat.general"}]}
            """,
        ["POST /api/invoices/{id}/credit-notes"] = """{"reason":"returned","lines":[{"line":1,"quantity":"1"}]}""",
    };

    private readonly string _tenant = TestDatabase.NewTenant("hostile");
    private Guid? _seedOrder;

    [Property(MaxTest = 120, Arbitrary = [typeof(HostileArbitraries)])]
    public bool No_hostile_request_gets_a_5xx_or_writes_anything(HostileRequest recipe) =>
        Task.Run(() => HoldsAsync(recipe)).GetAwaiter().GetResult();

    private async Task<bool> HoldsAsync(HostileRequest recipe)
    {
        _seedOrder ??= await new OrderApi(app.Client(), app.Tokens.For(_tenant, LedgerRoles.Clerk), _tenant, app.Db.Store).CreateAsync();
        var endpoints = Endpoints();
        endpoints.Count.ShouldBeGreaterThan(20, "the endpoint data source lists the Host's routes");
        var before = await WrittenAsync();
        var token = app.Tokens.For(_tenant, LedgerRoles.Clerk, LedgerRoles.Accountant, LedgerRoles.Auditor, LedgerRoles.Operator);
        var client = app.Client();

        foreach (var (method, pattern) in endpoints)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), PathOf(pattern, recipe) + recipe.Query);
            if (recipe.Accept is not null) request.Headers.TryAddWithoutValidation("Accept", recipe.Accept);
            if (recipe.Authenticated) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            if (recipe.IdempotencyKey is not null) request.Headers.TryAddWithoutValidation("Idempotency-Key", recipe.IdempotencyKey);
            if (method != HttpMethods.Get)
            {
                var body = recipe.Break(ValidBodies.GetValueOrDefault($"{method} {pattern.RawText}", "{}"));
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
                if (recipe.ContentType is not null) request.Content.Headers.TryAddWithoutValidation("Content-Type", recipe.ContentType);
            }

            using var response = await client.SendAsync(request);
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync();
            var what = $"{method} {request.RequestUri} with {recipe} → {status}: {text[..Math.Min(text.Length, 300)]}";
            status.ShouldBeLessThan(500, what);
            if (status >= 400)
            {
                response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", what);
                JsonDocument.Parse(text).RootElement.GetProperty("code").GetString().ShouldNotBeNullOrEmpty(what);
            }
        }

        (await WrittenAsync()).ShouldBe(before, $"only refusals' audit entries may be written ({recipe})");
        return true;
    }

    /// <summary>Every route the Host maps, with each of its methods.</summary>
    private List<(string Method, RoutePattern Pattern)> Endpoints() =>
        app.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [HttpMethods.Get]).Select(m => (m, e.RoutePattern)))
            .ToList();

    private string PathOf(RoutePattern pattern, HostileRequest recipe)
    {
        var value = recipe.RouteValue == "{seed}" ? _seedOrder.ToString()! : recipe.RouteValue;
        var segments = pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternSeparatorPart separator => separator.Content,
            _ => value,
        })));
        return "/" + string.Join('/', segments);
    }

    /// <summary>
    /// What the tenant has that is not an audit entry: events of any other type, and idempotency keys. The checkpoint
    /// signer's key announcement (stream ledger-signing-keys) is the Host's own doing and may come at any round.
    /// </summary>
    private async Task<(long Events, long Keys)> WrittenAsync() => (
        await app.Db.ScalarAsync("SELECT count(*) FROM ledger_records WHERE tenant_id = $1 AND event_type <> $2 AND stream_id <> $3",
            _tenant, AuditEventCodec.CommandRecorded, Ledger.EventStore.Checkpoints.SigningKeyRotation.StreamId),
        await app.Db.ScalarAsync("SELECT count(*) FROM idempotency_keys WHERE tenant_id = $1", _tenant));
}

/// <summary>FsCheck's entry point to <see cref="HostileRequest.Arbitrary"/>.</summary>
public static class HostileArbitraries
{
    public static Arbitrary<HostileRequest> Requests() => HostileRequest.Arbitrary();
}

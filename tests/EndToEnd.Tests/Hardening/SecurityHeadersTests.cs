using System.Net;
using System.Text;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.EventStore;
using Ledger.Host.Auth;
using Ledger.TestSupport;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.EndToEnd.Tests.Hardening;

/// <summary>The hardening headers on every kind of response, HSTS only over HTTPS, and CORS closed unless configured.</summary>
public sealed class SecurityHeadersTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>
{
    public static TheoryData<string, string, string?, string?, int> Responses => new()
    {
        { "GET", "/health/live", null, null, 200 },
        { "GET", "/health/ready", null, null, 200 },
        { "GET", "/openapi/v1.json", null, null, 200 },
        { "GET", "/docs/scalar.js", null, null, 200 },
        { "GET", "/metrics", LedgerRoles.Operator, null, 200 },
        { "GET", "/metrics", null, null, 401 },
        { "GET", "/metrics", LedgerRoles.Clerk, null, 403 },
        { "POST", "/api/orders", LedgerRoles.Clerk, OrderApi.CreateBody, 201 },
        { "GET", "/api/orders/00000000-0000-0000-0000-000000000001", null, null, 401 },
        { "GET", "/api/orders/00000000-0000-0000-0000-000000000001", LedgerRoles.Auditor, null, 403 },
        { "GET", "/api/orders/00000000-0000-0000-0000-000000000001", LedgerRoles.Clerk, null, 404 },
        { "GET", "/no/such/route", null, null, 404 },
        { "DELETE", "/api/orders", LedgerRoles.Clerk, null, 405 },
        { "POST", "/api/orders", LedgerRoles.Clerk, "{not json", 400 },
        { "POST", "/api/orders", LedgerRoles.Clerk, "[" + new string(' ', 70_000) + "]", 413 },
        { "POST", "/api/orders/00000000-0000-0000-0000-000000000001/payments", LedgerRoles.Clerk, """{"amount":"1.00","payment_reference":"P-1"}""", 404 },
    };

    [Theory]
    [MemberData(nameof(Responses))]
    public async Task Every_response_carries_the_security_headers(string method, string path, string? role, string? body, int status)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (role is not null) request.Headers.Authorization = new("Bearer", app.Tokens.For(TestDatabase.NewTenant(), role));
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");

        using var response = await app.Client().SendAsync(request);

        ((int)response.StatusCode).ShouldBe(status, await response.Content.ReadAsStringAsync());
        SecurityHeaders.ShouldCarryThem(response);
        response.Headers.Contains("Strict-Transport-Security").ShouldBeFalse("plain HTTP gets no HSTS");
    }

    [Fact]
    public async Task A_500_carries_them_too()
    {
        await using var broken = await app.HostWith(host => host.ConfigureTestServices(services =>
            services.AddSingleton<IEventStore, ThrowingStore>()));
        // The invoice resource reads through the IEventStore broken here (orders are read through Marten directly).
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/invoices/{Guid.NewGuid()}");
        request.Headers.Authorization = new("Bearer", app.Tokens.For(TestDatabase.NewTenant(), LedgerRoles.Clerk));

        using var response = await broken.Client().SendAsync(request);

        await response.ShouldBeProblem(HttpStatusCode.InternalServerError, "internal");
        SecurityHeaders.ShouldCarryThem(response);
    }

    [Fact]
    public async Task The_API_reference_page_alone_is_loosened_with_a_fresh_nonce_per_request()
    {
        var client = app.Client();
        using var first = await client.GetAsync("/docs/");
        using var second = await client.GetAsync("/docs/");
        var nonces = new List<string>();
        foreach (var response in new[] { first, second })
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            var html = await response.Content.ReadAsStringAsync();
            var policy = response.Headers.GetValues("Content-Security-Policy").Single();
            var nonce = System.Text.RegularExpressions.Regex.Match(policy, "script-src 'self' 'nonce-([^']+)' 'sha256-[^']+';").Groups[1].Value;
            nonce.ShouldNotBeEmpty(policy);
            // Every script tag of the page carries it, but for the one allowed by its hash; nothing allows eval or inline scripts.
            html.ShouldContain($"<script src=\"scalar.js\" nonce=\"{nonce}\">");
            policy.ShouldNotContain("unsafe-eval");
            policy.Split(';').Single(d => d.Trim().StartsWith("script-src", StringComparison.Ordinal)).ShouldNotContain("unsafe-inline");
            policy.ShouldStartWith("default-src 'none';");
            policy.ShouldEndWith("frame-ancestors 'none'");
            nonces.Add(nonce);
        }
        nonces.Distinct().Count().ShouldBe(2, "a nonce is never reused");
    }

    [Fact]
    public async Task HSTS_is_sent_over_HTTPS_only()
    {
        var https = app.Client();
        https.BaseAddress = new Uri("https://localhost"); // the test server takes the request's scheme from its address
        using var secure = await https.GetAsync("/health/live");
        secure.Headers.GetValues("Strict-Transport-Security").Single().ShouldBe("max-age=31536000; includeSubDomains");
        SecurityHeaders.ShouldCarryThem(secure);
        using var missing = await https.GetAsync("/no/such/route");
        missing.Headers.GetValues("Strict-Transport-Security").Single().ShouldStartWith("max-age=");
    }

    [Fact]
    public async Task HTTPS_forwarded_by_a_trusted_proxy_gets_HSTS_and_an_untrusted_sender_cannot_claim_it()
    {
        await using var host = await app.With(new() { ["Ledger:Http:TrustedProxies:0"] = "10.9.0.0/24" }, IPAddress.Parse("10.9.0.5"));
        using var forwarded = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        forwarded.Headers.Add("X-Forwarded-Proto", "https");
        forwarded.Headers.Add("X-Forwarded-For", "198.51.100.20");
        (await host.Client().SendAsync(forwarded)).Headers.Contains("Strict-Transport-Security").ShouldBeTrue();

        using var spoofed = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        spoofed.Headers.Add("X-Forwarded-Proto", "https");
        spoofed.Headers.Add("X-Test-Client", "192.0.2.66");
        (await host.Client().SendAsync(spoofed)).Headers.Contains("Strict-Transport-Security").ShouldBeFalse();

        // With no trusted proxy configured nobody's forwarded headers count, loopback included.
        await using var direct = await app.With([], IPAddress.Loopback);
        using var loopback = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        loopback.Headers.Add("X-Forwarded-Proto", "https");
        (await direct.Client().SendAsync(loopback)).Headers.Contains("Strict-Transport-Security").ShouldBeFalse();
    }

    [Fact]
    public async Task CORS_is_closed_by_default()
    {
        using var preflight = Preflight("https://evil.example");
        using var answer = await app.Client().SendAsync(preflight);
        answer.Headers.Contains("Access-Control-Allow-Origin").ShouldBeFalse();
        SecurityHeaders.ShouldCarryThem(answer);

        using var simple = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        simple.Headers.Add("Origin", "https://evil.example");
        (await app.Client().SendAsync(simple)).Headers.Contains("Access-Control-Allow-Origin").ShouldBeFalse();
    }

    [Fact]
    public async Task CORS_allows_exactly_the_configured_origins()
    {
        await using var host = await app.With(new() { ["Ledger:Cors:AllowedOrigins:0"] = "https://books.example.com" });

        using var allowed = await host.Client().SendAsync(Preflight("https://books.example.com"));
        allowed.Headers.GetValues("Access-Control-Allow-Origin").Single().ShouldBe("https://books.example.com");
        string.Join(",", allowed.Headers.GetValues("Access-Control-Allow-Headers")).ShouldContain("Idempotency-Key", Case.Insensitive);
        SecurityHeaders.ShouldCarryThem(allowed);

        using var other = await host.Client().SendAsync(Preflight("https://evil.example"));
        other.Headers.Contains("Access-Control-Allow-Origin").ShouldBeFalse();
    }

    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/orders");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type,idempotency-key");
        return request;
    }

    private sealed class ThrowingStore : IEventStore
    {
        public Task<AppendResult> AppendAsync(string tenantId, IReadOnlyList<StreamAppend> streams, CancellationToken ct = default) =>
            throw new InvalidOperationException("boom");

        public Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(string tenantId, string streamId, long fromVersion = 1, CancellationToken ct = default) =>
            throw new InvalidOperationException("boom");

        public Task<IReadOnlyList<RecordedEvent>> ReadAllAsync(GlobalPosition after, int max, CancellationToken ct = default) =>
            throw new InvalidOperationException("boom");
    }
}

/// <summary>The headers every response must carry.</summary>
public static class SecurityHeaders
{
    public static void ShouldCarryThem(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var what = $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} → {(int)response.StatusCode}";
        response.Headers.GetValues("X-Content-Type-Options").Single().ShouldBe("nosniff", what);
        response.Headers.GetValues("X-Frame-Options").Single().ShouldBe("DENY", what);
        response.Headers.GetValues("Referrer-Policy").Single().ShouldBe("no-referrer", what);
        response.Headers.GetValues("Content-Security-Policy").Single().ShouldBe("default-src 'none'; frame-ancestors 'none'", what);
        response.Headers.Contains("Server").ShouldBeFalse(what);
    }
}

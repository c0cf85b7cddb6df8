using System.Net;
using Alba;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.TestSupport;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.EndToEnd.Tests.Hardening;

/// <summary>Per client address, per tenant, and stricter on export and token routes: a 429 problem with Retry-After.</summary>
public sealed class RateLimitTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>
{
    private static readonly IPAddress Client = IPAddress.Parse("203.0.113.7");

    private static Dictionary<string, string?> Limits(int perAddress, int perTenant, int strict) => new()
    {
        ["Ledger:RateLimits:PerClientAddress:PermitLimit"] = perAddress.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Ledger:RateLimits:PerTenant:PermitLimit"] = perTenant.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Ledger:RateLimits:Strict:PermitLimit"] = strict.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Ledger:RateLimits:PerClientAddress:WindowSeconds"] = "60",
        ["Ledger:RateLimits:PerTenant:WindowSeconds"] = "60",
        ["Ledger:RateLimits:Strict:WindowSeconds"] = "60",
    };

    private static async Task<HttpResponseMessage> Get(IAlbaHost host, string path, string? token = null, string? from = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null) request.Headers.Authorization = new("Bearer", token);
        if (from is not null) request.Headers.Add("X-Test-Client", from);
        return await host.Client().SendAsync(request);
    }

    private static string AnOrder => $"/api/orders/{Guid.NewGuid()}";

    [Fact]
    public async Task Beyond_the_client_address_budget_the_answer_is_429_with_Retry_After_and_the_headers()
    {
        await using var host = await app.With(Limits(perAddress: 3, perTenant: 0, strict: 0), Client);
        var token = app.Tokens.For(TestDatabase.NewTenant(), LedgerRoles.Clerk);
        for (var i = 0; i < 3; i++)
            (await Get(host, AnOrder, token)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        using var refused = await Get(host, AnOrder, token);

        var problem = await refused.ShouldBeProblem(HttpStatusCode.TooManyRequests, "rate_limit.exceeded");
        var retryAfter = int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        retryAfter.ShouldBeInRange(1, 60);
        problem.GetProperty("detail").GetString().ShouldNotBeNullOrEmpty();
        SecurityHeaders.ShouldCarryThem(refused);
        // Unauthenticated calls from the same address count against the same budget.
        (await Get(host, AnOrder)).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        // Another client is not affected, and health probes are never limited.
        (await Get(host, AnOrder, token, from: "203.0.113.8")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        for (var i = 0; i < 5; i++)
            (await Get(host, "/health/live")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Retry_After_is_the_time_left_in_the_window_not_its_length()
    {
        var clock = new MovableClock();
        await using var host = await app.With(Limits(perAddress: 2, perTenant: 0, strict: 0), Client,
            more: h => h.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(clock)));
        for (var i = 0; i < 2; i++)
            (await Get(host, "/api/orders/x")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        clock.Advance(TimeSpan.FromSeconds(45));
        using var refused = await Get(host, "/api/orders/x");

        await refused.ShouldBeProblem(HttpStatusCode.TooManyRequests, "rate_limit.exceeded");
        int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture).ShouldBeInRange(14, 15);
        clock.Advance(TimeSpan.FromSeconds(15));
        (await Get(host, "/api/orders/x")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "a new window has begun");
    }

    /// <summary>The real clock, moved forward by the test.</summary>
    private sealed class MovableClock : TimeProvider
    {
        private long _shiftTicks;

        public void Advance(TimeSpan by) => Interlocked.Add(ref _shiftTicks, by.Ticks);

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _shiftTicks));

        public override long GetTimestamp() =>
            base.GetTimestamp() + (long)(Interlocked.Read(ref _shiftTicks) * (double)TimestampFrequency / TimeSpan.TicksPerSecond);
    }

    [Fact]
    public async Task An_IPv6_client_counts_per_slash_64()
    {
        await using var host = await app.With(Limits(perAddress: 2, perTenant: 0, strict: 0), IPAddress.Parse("2001:db8:1:2::1"));
        (await Get(host, AnOrder)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await Get(host, AnOrder, from: "2001:db8:1:2::ffff")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await Get(host, AnOrder, from: "2001:db8:1:2:aaaa::1")).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        (await Get(host, AnOrder, from: "2001:db8:1:3::1")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_tenant_has_one_budget_across_addresses_and_other_tenants_are_not_affected()
    {
        await using var host = await app.With(Limits(perAddress: 0, perTenant: 3, strict: 0), Client);
        var busy = app.Tokens.For(TestDatabase.NewTenant(), LedgerRoles.Clerk);
        var quiet = app.Tokens.For(TestDatabase.NewTenant(), LedgerRoles.Clerk);
        (await Get(host, AnOrder, busy, from: "198.51.100.1")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Get(host, AnOrder, busy, from: "198.51.100.2")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Get(host, AnOrder, busy, from: "198.51.100.3")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        using var refused = await Get(host, AnOrder, busy, from: "198.51.100.4");

        await refused.ShouldBeProblem(HttpStatusCode.TooManyRequests, "rate_limit.exceeded");
        refused.Headers.RetryAfter.ShouldNotBeNull();
        (await Get(host, AnOrder, quiet)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Export_endpoints_have_a_stricter_budget_than_the_rest()
    {
        await using var host = await app.With(Limits(perAddress: 1000, perTenant: 1000, strict: 2), Client);
        var auditor = app.Tokens.For(TestDatabase.NewTenant(), LedgerRoles.Auditor);
        for (var i = 0; i < 2; i++)
            (await Get(host, "/api/ledger/export", auditor)).StatusCode.ShouldNotBe(HttpStatusCode.TooManyRequests);

        using var refused = await Get(host, "/api/ledger/export", auditor);

        await refused.ShouldBeProblem(HttpStatusCode.TooManyRequests, "rate_limit.exceeded");
        for (var i = 0; i < 5; i++)
            (await Get(host, "/api/ledger/checkpoints", auditor)).StatusCode.ShouldNotBe(HttpStatusCode.TooManyRequests);
        // The strict budget is per caller: another tenant's auditor still exports.
        (await Get(host, "/api/ledger/export", app.Tokens.For(TestDatabase.NewTenant(), LedgerRoles.Auditor)))
            .StatusCode.ShouldNotBe(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Limits_can_be_switched_off()
    {
        await using var host = await app.With(new() { ["Ledger:RateLimits:Enabled"] = "false", ["Ledger:RateLimits:PerClientAddress:PermitLimit"] = "1" }, Client);
        for (var i = 0; i < 5; i++)
            (await Get(host, AnOrder)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}

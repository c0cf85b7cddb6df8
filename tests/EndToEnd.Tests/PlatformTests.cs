using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using System.Net;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests;

/// <summary>What holds for every response: health endpoints, security headers, problems for unknown routes.</summary>
public sealed class PlatformTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_endpoints_answer_200_without_a_token(string path)
    {
        using var response = await app.Client().GetAsync(path);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/health/live", null)]
    [InlineData("/api/orders/00000000-0000-0000-0000-000000000001", null)]
    [InlineData("/api/orders/00000000-0000-0000-0000-000000000001", "clerk")]
    [InlineData("/no/such/route", null)]
    public async Task Every_response_carries_the_security_headers(string path, string? role)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (role is not null) request.Headers.Authorization = new("Bearer", app.Tokens.For(TestDatabase.NewTenant(), role));
        using var response = await app.Client().SendAsync(request);

        response.Headers.GetValues("X-Content-Type-Options").Single().ShouldBe("nosniff");
        response.Headers.GetValues("X-Frame-Options").Single().ShouldBe("DENY");
        response.Headers.GetValues("Referrer-Policy").Single().ShouldBe("no-referrer");
        response.Headers.GetValues("Content-Security-Policy").Single().ShouldBe("default-src 'none'; frame-ancestors 'none'");
        response.Headers.GetValues("X-Correlation-Id").Single().ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task Unknown_route_is_a_404_problem()
    {
        using var response = await app.Client().GetAsync("/no/such/route");
        await response.ShouldBeProblem(HttpStatusCode.NotFound, "http.not_found");
    }

    [Fact]
    public async Task Unsafe_correlation_id_is_replaced()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        request.Headers.TryAddWithoutValidation("X-Correlation-Id", "<script>alert(1)</script>");
        using var response = await app.Client().SendAsync(request);
        response.Headers.GetValues("X-Correlation-Id").Single().ShouldNotContain("<");
    }

    [Fact]
    public async Task Ready_is_503_when_the_database_is_unreachable()
    {
        await using var broken = app.Factory.WithWebHostBuilder(host => host
            .ConfigureAppConfiguration((_, c) => c.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Ledger"] = "Host=127.0.0.1;Port=1;Username=nobody;Database=none;Timeout=2",
                ["Ledger:Database:MigrateOnStart"] = "false",
            })));
        using var response = await broken.CreateClient().GetAsync("/health/ready");
        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await broken.CreateClient().GetAsync("/health/live")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}

/// <summary>An unexpected failure is a 500 that tells the client nothing but a trace id.</summary>
public sealed class UnexpectedErrorTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>
{
    private sealed class BrokenStore : Ledger.EventStore.IEventStore
    {
        private const string Secret = "connection to 10.1.2.3 failed: password for user secret_admin";

        public Task<Ledger.EventStore.AppendResult> AppendAsync(string tenantId, IReadOnlyList<Ledger.EventStore.StreamAppend> streams, CancellationToken ct = default) =>
            throw new InvalidOperationException(Secret);

        public Task<IReadOnlyList<Ledger.EventStore.RecordedEvent>> ReadStreamAsync(string tenantId, string streamId, long fromVersion = 1, CancellationToken ct = default) =>
            throw new InvalidOperationException(Secret);

        public Task<IReadOnlyList<Ledger.EventStore.RecordedEvent>> ReadAllAsync(Ledger.EventStore.GlobalPosition after, int max, CancellationToken ct = default) =>
            throw new InvalidOperationException(Secret);
    }

    [Fact]
    public async Task Unexpected_exception_is_500_internal_without_details()
    {
        await using var broken = app.Factory.WithWebHostBuilder(host => host.ConfigureTestServices(services =>
            services.AddSingleton<Ledger.EventStore.IEventStore, BrokenStore>()));
        var tenant = TestDatabase.NewTenant();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/orders/{Guid.NewGuid()}");
        request.Headers.Authorization = new("Bearer", app.Tokens.For(tenant, LedgerRoles.Clerk));

        using var response = await broken.CreateClient().SendAsync(request);

        var problem = await response.ShouldBeProblem(HttpStatusCode.InternalServerError, "internal");
        problem.ToString().ShouldNotContain("secret");
        problem.ToString().ShouldNotContain("InvalidOperationException");
    }
}

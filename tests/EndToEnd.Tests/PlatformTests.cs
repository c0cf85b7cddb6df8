using System.Net;
using Alba;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ledger.EndToEnd.Tests;

/// <summary>What holds for every response: health endpoints, security headers, problems for unknown routes.</summary>
public sealed class PlatformTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_endpoints_answer_200_without_a_token(string path)
    {
        await app.Host.Scenario(x =>
        {
            x.Get.Url(path);
            x.StatusCodeShouldBeOk();
        });
    }

    [Theory]
    [InlineData("/health/live", null)]
    [InlineData("/api/orders/00000000-0000-0000-0000-000000000001", null)]
    [InlineData("/api/orders/00000000-0000-0000-0000-000000000001", "clerk")]
    [InlineData("/no/such/route", null)]
    public async Task Every_response_carries_the_security_headers(string path, string? role)
    {
        await app.Host.Scenario(x =>
        {
            x.Get.Url(path);
            if (role is not null) x.WithBearerToken(app.Tokens.For(TestDatabase.NewTenant(), role));
            x.IgnoreStatusCode(); // 200, 401, 404: the headers are the same on each
            x.Header("X-Content-Type-Options").SingleValueShouldEqual("nosniff");
            x.Header("X-Frame-Options").SingleValueShouldEqual("DENY");
            x.Header("Referrer-Policy").SingleValueShouldEqual("no-referrer");
            x.Header("Content-Security-Policy").SingleValueShouldEqual("default-src 'none'; frame-ancestors 'none'");
            x.Header("X-Correlation-Id").ShouldHaveOneNonNullValue();
        });
    }

    [Fact]
    public async Task Unknown_route_is_a_404_problem()
    {
        await app.Host.Scenario(x =>
        {
            x.Get.Url("/no/such/route");
            x.ProblemShouldBe(HttpStatusCode.NotFound, "http.not_found");
        });
    }

    [Fact]
    public async Task Unsafe_correlation_id_is_replaced()
    {
        await app.Host.Scenario(x =>
        {
            x.Get.Url("/health/live");
            x.WithRequestHeader("X-Correlation-Id", "<script>alert(1)</script>");
            x.Header("X-Correlation-Id").SingleValueShouldMatch("^[^<>]+$");
        });
    }

    [Fact]
    public async Task A_host_whose_database_is_unreachable_does_not_start_and_names_the_database()
    {
        // Wolverine registers this node in the database before the host starts (DurabilityMode.Balanced), so a host
        // without its database fails fast and its orchestrator restarts it (docs/operations.md, "Start-up").
        var error = await Should.ThrowAsync<Exception>(() => app.HostWith(host => host
            .ConfigureAppConfiguration((_, c) => c.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Ledger"] = "Host=127.0.0.1;Port=1;Username=nobody;Database=none;Timeout=2",
                ["Ledger:Database:MigrateOnStart"] = "false",
            }))));
        error.ToString().ShouldContain("127.0.0.1:1");
    }

    [Fact]
    public async Task Ready_is_503_while_the_database_is_unreachable_and_200_once_it_is_back()
    {
        var direct = new NpgsqlConnectionStringBuilder(app.Db.AppConnectionString);
        await using var proxy = new TcpProxy(direct.Host!, direct.Port);
        var proxied = new NpgsqlConnectionStringBuilder(app.Db.AppConnectionString) { Host = "127.0.0.1", Port = proxy.Port, Timeout = 2 };
        await using var host = await app.HostWith(h => h
            .ConfigureAppConfiguration((_, c) => c.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Ledger"] = proxied.ConnectionString,
                ["Ledger:Database:MigrateOnStart"] = "false",
            })));
        var client = host.Client();
        (await client.GetAsync("/health/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);

        proxy.Cut();
        await Eventually.Until(() => client.GetAsync("/health/ready"), r => r.StatusCode == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(30), "ready to answer 503 without the database");
        (await client.GetAsync("/health/live")).StatusCode.ShouldBe(HttpStatusCode.OK);

        proxy.Restore();
        await Eventually.Until(() => client.GetAsync("/health/ready"), r => r.StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "ready to answer 200 once the database is back");
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
        await using var broken = await app.HostWith(host => host.ConfigureTestServices(services =>
            services.AddSingleton<Ledger.EventStore.IEventStore, BrokenStore>()));
        var tenant = TestDatabase.NewTenant();
        // The invoice resource reads through the IEventStore broken here (orders are read through Marten directly).
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/invoices/{Guid.NewGuid()}");
        request.Headers.Authorization = new("Bearer", app.Tokens.For(tenant, LedgerRoles.Clerk));

        using var response = await broken.Client().SendAsync(request);

        var problem = await response.ShouldBeProblem(HttpStatusCode.InternalServerError, "internal");
        problem.ToString().ShouldNotContain("secret");
        problem.ToString().ShouldNotContain("InvalidOperationException");
    }
}

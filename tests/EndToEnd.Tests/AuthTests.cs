using System.Net;
using Alba;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests;

public sealed class AuthTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>
{
    /// <summary>Creates an order as the holder of <paramref name="token"/> (none: anonymously), expecting what <paramref name="then"/> says.</summary>
    private Task<IScenarioResult> CreateWith(string? token, Action<Scenario> then) => app.Host.Scenario(x =>
    {
        x.Post.RawJson(OrderApi.CreateBody).ToUrl("/api/orders");
        if (token is not null) x.WithBearerToken(token);
        then(x);
    });

    public static TheoryData<string> BadTokens => ["none", "garbage", "foreign-key", "expired", "no-tenant", "hs256", "wrong-issuer", "numeric-tenant", "no-jti", "no-kid", "no-roles"];

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Missing_or_bad_token_is_401_and_nothing_is_written(string kind)
    {
        var tenant = TestDatabase.NewTenant();
        var token = kind switch
        {
            "none" => null,
            "garbage" => "not.a.jwt",
            "foreign-key" => app.Tokens.SignedByForeignKey(tenant),
            "expired" => app.Tokens.Expired(tenant),
            "no-tenant" => app.Tokens.WithoutTenant(),
            "hs256" => app.Tokens.Hs256(tenant),
            "wrong-issuer" => app.Tokens.Create(TestTokens.Claims(tenant, LedgerRoles.Clerk), tokenIssuer: "someone-else"),
            "numeric-tenant" => app.Tokens.Create(new(TestTokens.Claims(tenant, LedgerRoles.Clerk)) { ["tenant"] = 42 }),
            "no-jti" => app.Tokens.Create(new(TestTokens.Claims(tenant, LedgerRoles.Clerk)) { ["jti"] = null }),
            "no-kid" => app.Tokens.WithoutKeyId(tenant),
            "no-roles" => app.Tokens.Create(new(TestTokens.Claims(tenant)) { ["roles"] = null }),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        await CreateWith(token, then: x =>
        {
            x.ProblemShouldBe(HttpStatusCode.Unauthorized, "auth.unauthenticated");
            x.Header("WWW-Authenticate").ShouldHaveValues();
        });

        (await app.Db.Store.ReadAllAsync(Ledger.EventStore.GlobalPosition.Start, 1000))
            .ShouldNotContain(e => e.TenantId == tenant);
    }

    [Fact]
    public async Task A_valid_token_is_accepted()
    {
        await CreateWith(app.Tokens.For(TestDatabase.NewTenant(), LedgerRoles.Clerk), then: x =>
        {
            x.StatusCodeShouldBe(HttpStatusCode.Created);
            x.Header("Location").SingleValueShouldMatch("^/api/orders/[0-9a-f-]{36}$");
            x.JsonPath("$.order_id").ShouldExist();
        });
    }

    [Fact]
    public async Task Accountant_may_not_create_an_order_403()
    {
        var tenant = TestDatabase.NewTenant();
        await CreateWith(app.Tokens.For(tenant, LedgerRoles.Accountant), then: x => x.ProblemShouldBe(HttpStatusCode.Forbidden, "auth.forbidden"));
    }

    [Fact]
    public async Task Auditor_may_not_read_an_order_403()
    {
        var tenant = TestDatabase.NewTenant();
        var clerk = new OrderApi(app.Client(), app.Tokens.For(tenant, LedgerRoles.Clerk), tenant, app.Db.Store);
        var orderId = await clerk.CreateAsync();
        var auditor = new OrderApi(app.Client(), app.Tokens.For(tenant, LedgerRoles.Auditor), tenant, app.Db.Store);

        using var response = await auditor.GetAsync($"/api/orders/{orderId}");
        await response.ShouldBeProblem(HttpStatusCode.Forbidden, "auth.forbidden");
    }

    [Fact]
    public async Task Another_tenants_order_is_404_for_reads_and_writes_and_stays_unchanged()
    {
        var owner = TestDatabase.NewTenant();
        var clerk = new OrderApi(app.Client(), app.Tokens.For(owner, LedgerRoles.Clerk), owner, app.Db.Store);
        var orderId = await clerk.CreateAsync();
        var otherTenant = TestDatabase.NewTenant();
        var intruder = new OrderApi(app.Client(), app.Tokens.For(otherTenant, LedgerRoles.Clerk), otherTenant, app.Db.Store);

        using (var read = await intruder.GetAsync($"/api/orders/{orderId}"))
            await read.ShouldBeProblem(HttpStatusCode.NotFound, "order.not_found");
        using (var write = await intruder.PostAsync($"/api/orders/{orderId}/payment-requests"))
            await write.ShouldBeProblem(HttpStatusCode.NotFound, "order.not_found");

        (await clerk.EventsAsync(orderId)).Count.ShouldBe(1);
        (await intruder.EventsAsync(orderId)).ShouldBeEmpty();
    }
}

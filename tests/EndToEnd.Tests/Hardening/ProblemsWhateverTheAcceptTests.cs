using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.EventStore;
using Ledger.Host.Auth;
using Ledger.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.EndToEnd.Tests.Hardening;

/// <summary>
/// Issue 12, section 1: an error is <c>application/problem+json</c> with its code whatever the request accepts — a
/// browser's <c>text/html</c>, a report client's <c>text/csv</c>, garbage — and the developer exception page never
/// answers an API route.
/// </summary>
public sealed class ProblemsWhateverTheAcceptTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>
{
    public static TheoryData<string> Accepts => ["text/csv", "text/html", "text/html,application/xhtml+xml;q=0.9", "image/png", "x/y;q=oops", "application/xml"];

    [Theory]
    [MemberData(nameof(Accepts))]
    public async Task A_bad_report_query_is_a_400_problem(string accept)
    {
        using var response = await Send(HttpMethod.Get, "/api/reports/orders?limit=0", accept, LedgerRoles.Accountant);
        await response.ShouldBeProblem(HttpStatusCode.BadRequest, "read_model.invalid_limit");
    }

    [Theory]
    [MemberData(nameof(Accepts))]
    public async Task No_token_is_a_401_problem(string accept)
    {
        using var response = await Send(HttpMethod.Get, $"/api/orders/{Guid.NewGuid()}", accept, role: null);
        await response.ShouldBeProblem(HttpStatusCode.Unauthorized, "auth.unauthenticated");
    }

    [Theory]
    [MemberData(nameof(Accepts))]
    public async Task A_wrong_role_is_a_403_problem(string accept)
    {
        using var response = await Send(HttpMethod.Post, "/api/orders", accept, LedgerRoles.Auditor, OrderApi.CreateBody);
        await response.ShouldBeProblem(HttpStatusCode.Forbidden, "auth.forbidden");
    }

    [Theory]
    [MemberData(nameof(Accepts))]
    public async Task Bad_json_is_a_400_problem(string accept)
    {
        using var response = await Send(HttpMethod.Post, "/api/orders", accept, LedgerRoles.Clerk, "{not json");
        await response.ShouldBeProblem(HttpStatusCode.BadRequest, "request.malformed");
    }

    [Theory]
    [MemberData(nameof(Accepts))]
    public async Task A_refused_command_is_a_422_problem(string accept)
    {
        var tenant = TestDatabase.NewTenant();
        var orders = new OrderApi(app.Client(), app.Tokens.For(tenant, LedgerRoles.Clerk), tenant, app.Db.Store);
        var id = await orders.CreateAsync();

        using var response = await Send(HttpMethod.Post, $"/api/orders/{id}/payments", accept, LedgerRoles.Clerk,
            """{"amount":"25.00","payment_reference":"psp-1"}""", tenant);

        await response.ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "order.payment_not_requested");
    }

    [Theory]
    [MemberData(nameof(Accepts))]
    public async Task An_unknown_route_and_a_wrong_method_are_problems(string accept)
    {
        using var missing = await Send(HttpMethod.Get, "/api/nothing-here", accept, role: null);
        await missing.ShouldBeProblem(HttpStatusCode.NotFound, "http.not_found");
        using var method = await Send(HttpMethod.Delete, "/api/orders", accept, LedgerRoles.Clerk);
        await method.ShouldBeProblem(HttpStatusCode.MethodNotAllowed, "http.method_not_allowed");
    }

    [Theory]
    [InlineData("Development")]
    [InlineData("Production")]
    public async Task A_failure_is_a_500_problem_never_the_developer_exception_page(string environment)
    {
        await using var broken = await app.HostWith(host =>
        {
            host.UseEnvironment(environment);
            // The fixture's keys are in clear; Production would refuse them (keys at rest are KeysAtRestTests' subject).
            host.UseSetting("Ledger:Keys:RequireEncrypted", "false");
            host.ConfigureTestServices(services => services.AddSingleton<IEventStore, ThrowingStore>());
        });
        foreach (var accept in new[] { "text/html", "text/csv", "application/json" })
        {
        // The invoice resource reads through the IEventStore broken here (orders are read through Marten directly).
            using var request = Request(HttpMethod.Get, $"/api/invoices/{Guid.NewGuid()}", accept, LedgerRoles.Clerk, null, TestDatabase.NewTenant());
            using var response = await broken.Client().SendAsync(request);

            var problem = await response.ShouldBeProblem(HttpStatusCode.InternalServerError, "internal");
            problem.ToString().ShouldNotContain("boom");
            problem.ToString().ShouldNotContain(".cs:");
        }
    }

    private async Task<HttpResponseMessage> Send(HttpMethod method, string path, string accept, string? role, string? body = null, string? tenant = null)
    {
        using var request = Request(method, path, accept, role, body, tenant ?? TestDatabase.NewTenant());
        return await app.Client().SendAsync(request);
    }

    private HttpRequestMessage Request(HttpMethod method, string path, string accept, string? role, string? body, string tenant)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        if (role is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", app.Tokens.For(tenant, role));
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
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

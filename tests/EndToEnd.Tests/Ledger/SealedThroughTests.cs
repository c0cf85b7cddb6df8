using System.Net;
using System.Text.Json;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests.Auditing;

/// <summary>
/// An auditor can wait for a write to be in the ledger: <c>GET /api/ledger/sealed</c> with the position the write
/// returned answers once the Host's sealer has entered it, and its entry is then readable; a position the ledger does
/// not reach in time is a 503 with Retry-After, a malformed one a 400.
/// </summary>
public sealed class SealedThroughTests(AuditorAppFixture app) : IClassFixture<AuditorAppFixture>
{
    [Fact]
    public async Task Waiting_for_a_writes_position_returns_once_its_entry_is_sealed()
    {
        var tenant = TestDatabase.NewTenant();
        using var created = await app.Client(app.Tokens.For(tenant, LedgerRoles.Clerk)).PostAsync("/api/orders",
            new StringContent(OrderApi.CreateBody, System.Text.Encoding.UTF8, "application/json"));
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var position = created.Headers.GetValues("X-Ledger-Position").Single();

        var auditor = app.Auditor(tenant);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/ledger/sealed");
        request.Headers.Add("X-Ledger-Min-Position", position);
        using var sealedResponse = await auditor.SendAsync(request);
        sealedResponse.StatusCode.ShouldBe(HttpStatusCode.OK);
        var sealedThrough = long.Parse(JsonDocument.Parse(await sealedResponse.Content.ReadAsStringAsync()).RootElement
            .GetProperty("sealed_through").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        sealedThrough.ShouldBeGreaterThanOrEqualTo(long.Parse(position, System.Globalization.CultureInfo.InvariantCulture));

        // Sealed means in the chain: the order's event and its audit entry are entries now.
        var entries = JsonDocument.Parse(await auditor.GetStringAsync("/api/ledger/entries")).RootElement;
        entries.GetProperty("head").GetInt64().ShouldBe(2);
    }

    [Fact]
    public async Task A_position_the_ledger_does_not_reach_in_time_is_a_503_and_a_malformed_one_a_400()
    {
        var auditor = app.Auditor(TestDatabase.NewTenant());
        using var late = await auditor.GetAsync("/api/ledger/sealed?min_position=999999999999");
        var problem = await late.ShouldBeProblem(HttpStatusCode.ServiceUnavailable, "ledger.not_sealed");
        late.Headers.RetryAfter.ShouldNotBeNull();
        problem.GetProperty("min_position").GetString().ShouldBe("999999999999");

        using var malformed = await auditor.GetAsync("/api/ledger/sealed?min_position=12-3");
        await malformed.ShouldBeProblem(HttpStatusCode.BadRequest, "ledger.invalid_position");
    }
}

using System.Net;
using Ledger.Application.Invoicing.Stamping;
using Ledger.EndToEnd.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Polly.CircuitBreaker;

namespace Ledger.EndToEnd.Tests.Invoicing;

/// <summary>The Host's fiscal authority sits behind its circuit breaker, configured from settings, and readiness tells.</summary>
public sealed class FiscalAuthorityCircuitTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>
{
    private static StampRequest Request() =>
        new("tenant-1", Guid.CreateVersion7(), "invoice", "A-1", new DateOnly(2026, 3, 2), "B12345674", null, "EUR", 21m, 121m);

    [Fact]
    public async Task Ready_is_degraded_while_the_authority_circuit_is_open_and_healthy_once_a_probe_closes_it()
    {
        await using var host = await app.HostWith(h => h.ConfigureAppConfiguration((_, c) => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ledger:Invoicing:Stamping:Breaker:MinimumThroughput"] = "2",
            ["Ledger:Invoicing:Stamping:Breaker:BreakDuration"] = "00:00:01",
        })));
        var authority = host.Services.GetRequiredService<IFiscalAuthority>().ShouldBeOfType<GuardedFiscalAuthority>();
        var simulator = host.Services.GetRequiredService<SimulatedFiscalAuthority>();
        var client = host.Client();
        (await client.GetStringAsync("/health/ready")).ShouldBe("Healthy");

        simulator.GoDown();
        for (var i = 0; i < 2; i++)
            await Should.ThrowAsync<FiscalAuthorityUnavailableException>(() => authority.StampAsync(Request(), CancellationToken.None));
        authority.State.ShouldBe(CircuitState.Open);
        using (var ready = await client.GetAsync("/health/ready"))
        {
            ready.StatusCode.ShouldBe(HttpStatusCode.OK, "Ledger still serves: it seals in contingency");
            (await ready.Content.ReadAsStringAsync()).ShouldBe("Degraded");
        }

        simulator.Answer();
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        (await authority.StampAsync(Request(), CancellationToken.None)).ShouldBeOfType<StampResponse.Stamped>();
        (await client.GetStringAsync("/health/ready")).ShouldBe("Healthy");
    }

    [Fact]
    public async Task A_breaker_setting_out_of_range_stops_start_up_and_names_it()
    {
        var error = await Should.ThrowAsync<Exception>(() => app.HostWith(h => h.ConfigureAppConfiguration((_, c) => c.AddInMemoryCollection(
            new Dictionary<string, string?> { ["Ledger:Invoicing:Stamping:Breaker:FailureRatio"] = "1.5" }))));
        error.ToString().ShouldContain("Ledger:Invoicing:Stamping:Breaker");
    }
}

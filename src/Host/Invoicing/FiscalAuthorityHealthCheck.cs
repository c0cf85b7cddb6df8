using Ledger.Application.Invoicing.Stamping;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;

namespace Ledger.Host.Invoicing;

/// <summary>
/// Degraded while the fiscal authority's circuit is open or probing: Ledger still serves (200), and says that invoices
/// are being sealed in contingency and when the authority is tried again.
/// </summary>
internal sealed class FiscalAuthorityHealthCheck(IServiceProvider services, IOptions<StampingOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!options.Value.Breaker.Enabled) return Task.FromResult(HealthCheckResult.Healthy("no circuit breaker"));
        var authority = services.GetRequiredService<GuardedFiscalAuthority>();
        var data = new Dictionary<string, object> { ["circuit"] = authority.State.ToString() };
        if (authority.ProbeAt is { } probeAt) data["probe_at"] = probeAt.ToString("O");
        return Task.FromResult(authority.State switch
        {
            CircuitState.Closed => HealthCheckResult.Healthy("fiscal authority answering", data),
            CircuitState.HalfOpen => HealthCheckResult.Degraded("fiscal authority failing: probing it again; invoices are sealed in contingency", data: data),
            _ => HealthCheckResult.Degraded("fiscal authority failing: not called until the next probe; invoices are sealed in contingency", data: data),
        });
    }
}

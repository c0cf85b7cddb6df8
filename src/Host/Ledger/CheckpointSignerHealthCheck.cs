using System.Diagnostics.Metrics;
using Ledger.EventStore.Checkpoints;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ledger.Host.Auditing;

/// <summary>
/// Degraded once the checkpoint signer has stopped because a tenant's chain lacks a head it signed (a rewrite, see
/// <see cref="SignedHeads"/>): Ledger still serves, and says that nothing is being signed, for which tenant, and where.
/// </summary>
internal sealed class CheckpointSignerHealthCheck(SignedHeads signed) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(signed.Halt is { } stop
            ? HealthCheckResult.Degraded("checkpoint signer stopped: a tenant's chain is not the one it signed; no checkpoint is signed until an operator acts",
                data: new Dictionary<string, object> { ["tenant_id"] = stop.TenantId, ["position"] = stop.Position })
            : HealthCheckResult.Healthy("checkpoint signer: every chain it checked has what it signed"));
}

/// <summary>
/// <c>ledger.checkpoint.signer_halted</c> (<c>Ledger.Checkpoints</c>): 1 once the signer has stopped over a rewritten
/// chain, else 0 — the alert an operator wires, beside the Error log line and <c>/health/ready</c>.
/// </summary>
internal static class CheckpointMetrics
{
    public const string MeterName = "Ledger.Checkpoints";

    private static readonly Meter Meter = new(MeterName);
    private static Func<int>? halted;

    static CheckpointMetrics() =>
        Meter.CreateObservableGauge("ledger.checkpoint.signer_halted", () => halted?.Invoke() ?? 0, "{state}",
            "1 when the checkpoint signer stopped because a chain lacks a head it signed, else 0");

    /// <summary>The process's signer record reports through the gauge (one per process).</summary>
    public static void Observe(SignedHeads signed) => halted = () => signed.Halt is null ? 0 : 1;
}

using Ledger.Messaging.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ledger.Host.Messaging;

/// <summary>
/// Messaging's part of readiness. A broker outage degrades the service but does not make it unready: commands
/// still commit, their events wait in the outbox and go out when the broker is back. The data says how many.
/// </summary>
internal sealed class MessagingHealthCheck(MessagingRuntime runtime, MessagingMetrics metrics) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (runtime.Broker is not { } broker)
            return Task.FromResult(HealthCheckResult.Healthy("messaging is not configured (no ConnectionStrings:RabbitMq); events wait in the outbox"));

        var state = broker.State;
        var relay = runtime.Relay?.Status;
        var data = new Dictionary<string, object>
        {
            ["broker"] = state.ToString(),
            ["outbox_backlog"] = relay?.Backlog ?? metrics.OutboxBacklog,
            ["relay_here"] = relay?.IsRelay ?? false,
            ["relay_position"] = relay?.Position.ToString() ?? "",
            ["dead_letters"] = metrics.DeadLetterSizes.Values.Sum(),
        };
        if (relay?.LastError is { } error) data["relay_last_error"] = error;
        return Task.FromResult(state.Connected
            ? HealthCheckResult.Healthy("broker connected", data)
            : HealthCheckResult.Degraded($"broker unreachable since {state.Since:O}: {state.LastError}", data: data));
    }
}

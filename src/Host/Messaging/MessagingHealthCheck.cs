using Ledger.Messaging.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ledger.Host.Messaging;

/// <summary>
/// Messaging's part of readiness. A broker outage degrades the service but does not make it unready: commands
/// still commit, their events wait in the store and in Wolverine's outbox and go out when the broker is back. The data
/// says how many.
/// </summary>
internal sealed class MessagingHealthCheck(MessagingRuntime runtime, MessagingMetrics metrics, OutboxMonitor outbox) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (runtime.Broker is not { } broker)
            return Task.FromResult(HealthCheckResult.Healthy("messaging is not configured (no ConnectionStrings:RabbitMq); events wait in the store"));

        var state = broker.State;
        var latched = outbox.PublisherLatched;
        var data = new Dictionary<string, object>
        {
            ["broker"] = state.ToString(),
            ["outbox_backlog"] = metrics.OutboxBacklog,
            ["outbox_position"] = outbox.Last?.Position ?? 0,
            ["outbox_unsent_envelopes"] = outbox.Last?.OutgoingEnvelopes ?? 0,
            ["publisher_latched"] = latched ?? false,
            ["consumers_consuming"] = runtime.Consumers.Count(c => c.IsConsuming),
            ["dead_letters"] = metrics.DeadLetterSizes.Values.Sum(),
        };
        if (latched == true)
            return Task.FromResult(HealthCheckResult.Degraded("the publisher to the integration exchange is latched after failed sends; messages wait in the outbox", data: data));
        return Task.FromResult(state.Connected
            ? HealthCheckResult.Healthy("broker connected", data)
            : HealthCheckResult.Degraded($"broker unreachable since {state.Since:O}: {state.LastError}", data: data));
    }
}

using Ledger.Messaging.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Wolverine.Runtime;
using Wolverine.Transports;

namespace Ledger.Host.Messaging;

/// <summary>
/// Messaging's part of readiness. A broker outage degrades the service but does not make it unready: commands still
/// commit, and their events wait in the store until the outbox's shard publishes them. Degraded while the broker is
/// away (Wolverine's own probe of its RabbitMQ connections, <see cref="IBrokerHealthProbe"/>), while a Host that
/// started without it waits for it (<see cref="BrokerStart"/>), and while the shard has stored events to pass and has
/// not moved for <see cref="Stalled"/> (the broker is away or refusing, or the shard is paused); the data says how far
/// behind it is.
/// </summary>
internal sealed class MessagingHealthCheck(IConfiguration configuration, MessagingMetrics metrics, OutboxMonitor outbox,
    BrokerStart brokerStart, IWolverineRuntime wolverine, TimeProvider clock) : IHealthCheck
{
    private static readonly TimeSpan Stalled = TimeSpan.FromSeconds(10);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (MessagingConfiguration.BrokerUri(configuration) is null)
            return HealthCheckResult.Healthy("messaging is not configured (no ConnectionStrings:RabbitMq); events wait in the store");

        var last = outbox.Last;
        var data = new Dictionary<string, object>
        {
            ["outbox_backlog"] = metrics.OutboxBacklog,
            ["outbox_position"] = last?.Position ?? 0,
            ["dead_letters"] = metrics.DeadLetterSizes.Values.Sum(),
        };
        if (brokerStart.Waiting)
            return HealthCheckResult.Degraded(
                "the broker has not answered since this host started: events wait in the store, the inbound listeners start once it answers", data: data);
        foreach (var probe in wolverine.Options.Transports.OfType<IBrokerHealthProbe>())
        {
            var broker = await probe.ProbeAsync(cancellationToken);
            data["broker"] = broker.Status.ToString();
            if (broker.Status is BrokerHealthStatus.Unhealthy)
                return HealthCheckResult.Degraded($"the broker is away ({broker.Description}); events wait in the store", data: data);
        }
        if (last is { Lag: > 0, PositionUpdatedAt: { } moved } && clock.GetUtcNow() - moved > Stalled)
            return HealthCheckResult.Degraded(
                $"the outbox has not published since {moved:O} with {last.Lag} stored events to pass; they wait in the store", data: data);
        return HealthCheckResult.Healthy("the outbox is keeping up", data);
    }
}

using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Ledger.Host.Observability;

/// <summary>
/// Flushes traces and metrics when the Host stops. The SDK flushes when the container disposes its providers, which
/// may come after the process has been told to exit; registered before the Host's other services, this stops after
/// them, so what the shutdown itself records goes out too.
/// </summary>
internal sealed class TelemetryFlush(TracerProvider tracing, MeterProvider metrics) : IHostedService
{
    private const int TimeoutMilliseconds = 5000;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        tracing.ForceFlush(TimeoutMilliseconds);
        metrics.ForceFlush(TimeoutMilliseconds);
        return Task.CompletedTask;
    }
}

using System.Diagnostics;

namespace Ledger.Host.Logging;

/// <summary>
/// Makes ASP.NET Core create an <see cref="Activity"/> for every request even without a tracing exporter, so
/// logs, problem details and event metadata always carry a W3C trace id. An exporter added later records them.
/// </summary>
public sealed class TraceActivityListener : IHostedService, IDisposable
{
    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
    };

    public Task StartAsync(CancellationToken cancellationToken)
    {
        ActivitySource.AddActivityListener(_listener);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _listener.Dispose();
}

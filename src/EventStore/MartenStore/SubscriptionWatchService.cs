using JasperFx.Events.Daemon;
using IProjectionCoordinator = Marten.Events.Daemon.Coordination.IProjectionCoordinator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ledger.EventStore.MartenStore;

/// <summary>Runs a <see cref="SubscriptionWatch"/> beside this process's Marten daemon.</summary>
public sealed class SubscriptionWatchService(IProjectionCoordinator coordinator, SubscriptionWatch watch) : BackgroundService
{
    /// <summary>
    /// Registers a watch on <paramref name="shard"/>. Registered as <see cref="IHostedService"/> directly: AddHostedService
    /// with a factory keeps only the first of one implementation type, and a host watches several shards.
    /// </summary>
    public static IServiceCollection Add(IServiceCollection services, string shard, string stalled)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddSingleton<IHostedService>(sp => new SubscriptionWatchService(sp.GetRequiredService<IProjectionCoordinator>(),
            new SubscriptionWatch(sp.GetRequiredService<ILoggerFactory>().CreateLogger<SubscriptionWatch>(), shard, stalled)));
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => watch.RunAsync(Daemon, stoppingToken);

    private IProjectionDaemon? Daemon()
    {
        try
        {
            return coordinator.DaemonForMainDatabase();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}

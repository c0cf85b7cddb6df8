using JasperFx.Events.Daemon;
using Ledger.EventStore.MartenStore;

namespace Ledger.Host.Events;

/// <summary>Runs the <see cref="SealerWatch"/> beside this process's Marten daemon.</summary>
internal sealed class SealerWatchService(Marten.Events.Daemon.Coordination.IProjectionCoordinator coordinator, ILogger<SealerWatch> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => new SealerWatch(logger).RunAsync(Daemon, stoppingToken);

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

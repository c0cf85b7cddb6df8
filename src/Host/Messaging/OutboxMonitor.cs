using Ledger.Host.Configuration;
using Ledger.Messaging;
using Ledger.Messaging.Diagnostics;
using Ledger.Messaging.Outbox;
using Npgsql;
using Wolverine.RabbitMQ.Internal;
using Wolverine.Runtime;

namespace Ledger.Host.Messaging;

/// <summary>
/// Measures the outbox now and then for the backlog gauge and readiness: the publishing shard's lag behind the store
/// (<see cref="OutboxInspection"/>), and whether Wolverine's
/// sender to the integration exchange is latched (its circuit broken after failed sends, i.e. the broker is away).
/// </summary>
internal sealed partial class OutboxMonitor(LedgerDataSources db, MessagingSettings settings, MessagingMetrics metrics,
    IWolverineRuntime wolverine, TimeProvider clock, ILogger<OutboxMonitor> logger) : BackgroundService
{
    public OutboxState? Last { get; private set; }

    /// <summary>Whether this process's sender to the exchange has stopped sending after failures (null: none yet).</summary>
    public bool? PublisherLatched => wolverine.Endpoints.ActiveSendingAgents()
        .Where(a => a.Endpoint is RabbitMqExchange exchange && exchange.ExchangeName == settings.Exchange)
        .Select(a => (bool?)a.Latched).FirstOrDefault();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                Last = await OutboxInspection.ReadAsync(db.App, stoppingToken);
                metrics.SetOutboxBacklog(Last.Lag);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException && !stoppingToken.IsCancellationRequested)
            {
                // The database is what failed (readiness says so): the last known backlog stays.
                LogUnmeasured(logger, e.GetBaseException().Message);
            }
            try
            {
                await Task.Delay(settings.Outbox.MonitorInterval, clock, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Outbox backlog not measured: {Reason}")]
    private static partial void LogUnmeasured(ILogger logger, string reason);
}

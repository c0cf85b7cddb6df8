using Ledger.Messaging;
using Ledger.Messaging.Diagnostics;
using Wolverine.Persistence.Durability;
using Wolverine.Persistence.Durability.DeadLetterManagement;

namespace Ledger.Host.Messaging.Inbound;

/// <summary>
/// Counts each consumer's dead letters in Wolverine's storage every <see cref="ConsumerSettings.DeadLetterProbeInterval"/>
/// for the <c>ledger.messaging.dlq.size</c> gauge and readiness's data, so neither waits on the database.
/// </summary>
internal sealed partial class DeadLetterProbe(IMessageStore store, MessagingSettings settings, MessagingMetrics metrics, TimeProvider clock,
    ILogger<DeadLetterProbe> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var consumer in InboundConsumers.All)
                {
                    var found = await store.DeadLetters.QueryAsync(new DeadLetterEnvelopeQuery { MessageType = consumer.Identity, PageSize = 1 }, stoppingToken);
                    metrics.SetDeadLetterSize(consumer.Name, found.TotalCount);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogProbeFailed(logger, e.GetBaseException().Message); // the database is away: the gauge keeps its last value
            }
            await Task.Delay(settings.Consumers.DeadLetterProbeInterval, clock, stoppingToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not count the dead letters: {Error}")]
    private static partial void LogProbeFailed(ILogger logger, string error);
}

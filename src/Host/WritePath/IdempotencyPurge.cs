using Ledger.Host.Configuration;
using Microsoft.Extensions.Options;

namespace Ledger.Host.WritePath;

/// <summary>
/// Deletes expired idempotency keys now and then. Every host runs it; deleting an expired row twice is harmless,
/// and an expired key is already ignored by lookups, so a late purge changes nothing a client can see.
/// </summary>
internal sealed partial class IdempotencyPurge(
    LedgerDataSources db, TimeProvider clock, IOptions<IdempotencyOptions> options, ILogger<IdempotencyPurge> logger) : BackgroundService
{
    private const int Batch = 1000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PurgeInterval, clock);
        do
        {
            try
            {
                var total = 0;
                int deleted;
                do total += deleted = await IdempotencyRecords.PurgeExpiredAsync(db.App, clock.GetUtcNow(), Batch, stoppingToken);
                while (deleted == Batch);
                if (total > 0) LogPurged(logger, total);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogPurgeFailed(logger, e);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} expired idempotency keys")]
    private static partial void LogPurged(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purging expired idempotency keys failed; trying again next interval")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception);
}

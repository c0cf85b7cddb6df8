using JasperFx;
using JasperFx.Events.Daemon;
using Microsoft.Extensions.Logging;

namespace Ledger.EventStore.MartenStore;

/// <summary>
/// Restarts the chain sealer when Marten's daemon pauses it. A page that fails (the database refused it, a failover cut
/// it) pauses the subscription, and Marten never resumes a paused shard by itself: every later event would stay
/// unsealed, auditors would wait in vain, until the process restarted. The sealer must seal everything, so there is
/// nothing to skip: the watch logs an Error and starts the shard again after a backoff (doubling up to
/// <see cref="MaxDelay"/>) until a page goes through. Only the process that runs the sealer (the daemon's HotCold
/// owner of its shard) sees it paused.
/// </summary>
public sealed partial class SealerWatch(ILogger logger)
{
    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    private int _attempts;
    private DateTime? _restartAt;
    private long _pausedAt;

    /// <summary>Watches until cancelled; <paramref name="daemon"/> is null while this process runs no daemon.</summary>
    public async Task RunAsync(Func<IProjectionDaemon?> daemon, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (daemon() is { } running) await CheckAsync(running, ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                LogWatchFailed(logger, e.GetType().Name);
            }
            await Task.Delay(Interval, ct);
        }
    }

    /// <summary>One look at the sealer's shard.</summary>
    public async Task CheckAsync(IProjectionDaemon daemon, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(daemon);
        var shard = ChainSealer.SubscriptionName + ":All";
        var agent = daemon.CurrentAgents().FirstOrDefault(a => a.Name.Identity == shard);
        if (agent is null) return;
        if (agent.Status != AgentStatus.Paused)
        {
            if (_attempts > 0 && _restartAt is null && agent.Position > _pausedAt)
            {
                LogRecovered(logger, _attempts, agent.Position);
                _attempts = 0;
            }
            return;
        }
        if (_restartAt is null)
        {
            _attempts++;
            _pausedAt = agent.Position;
            var delay = TimeSpan.FromMilliseconds(Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, _attempts - 1)));
            _restartAt = DateTime.UtcNow + delay;
            LogPaused(logger, agent.Position, _attempts, delay.TotalSeconds);
            return;
        }
        if (DateTime.UtcNow < _restartAt) return;
        _restartAt = null;
        await daemon.StartAgentAsync(shard, ct);
    }

    [LoggerMessage(Level = LogLevel.Error,
        Message = "The chain sealer is paused at {Position} (attempt {Attempts}): events after it are not sealed; restarting it in {DelaySeconds} s")]
    private static partial void LogPaused(ILogger logger, long position, int attempts, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "The chain sealer is sealing again after {Attempts} restart(s), at {Position}")]
    private static partial void LogRecovered(ILogger logger, int attempts, long position);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The sealer watch failed ({ErrorKind}); looking again shortly")]
    private static partial void LogWatchFailed(ILogger logger, string errorKind);
}

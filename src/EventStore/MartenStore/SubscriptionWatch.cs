using JasperFx;
using JasperFx.Events.Daemon;
using Microsoft.Extensions.Logging;

namespace Ledger.EventStore.MartenStore;

/// <summary>
/// Restarts a subscription that must never skip an event (the chain sealer, the outbox) when Marten's daemon pauses it.
/// A page that fails (the database refused it, a failover cut it, the broker did not confirm its messages) pauses the
/// subscription, and Marten never resumes a paused shard by itself: every later event would stay unsealed, or
/// unpublished, until the process restarted. There is nothing to skip: the watch logs an Error and starts the shard
/// again after a backoff (doubling up to <see cref="MaxDelay"/>) until a page goes through, and the page runs again.
/// Only the process that runs the shard (the daemon's HotCold owner of it) sees it paused.
/// </summary>
/// <param name="shard">The shard's name, e.g. <c>ledger_chain_sealer:All</c>.</param>
/// <param name="stalled">What stands still while it is paused, for the log ("events after it are not sealed").</param>
public sealed partial class SubscriptionWatch(ILogger logger, string shard, string stalled)
{
    /// <summary>The chain sealer's shard, and what stands still while it is paused.</summary>
    public const string SealerShard = ChainSealer.SubscriptionName + ":All";

    public const string SealerStalled = "events after it are not sealed";

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
                LogWatchFailed(logger, shard, e.GetType().Name);
            }
            await Task.Delay(Interval, ct);
        }
    }

    /// <summary>One look at the shard.</summary>
    public async Task CheckAsync(IProjectionDaemon daemon, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(daemon);
        var agent = daemon.CurrentAgents().FirstOrDefault(a => a.Name.Identity == shard);
        if (agent is null) return;
        if (agent.Status != AgentStatus.Paused)
        {
            if (_attempts > 0 && _restartAt is null && agent.Position > _pausedAt)
            {
                LogRecovered(logger, shard, _attempts, agent.Position);
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
            LogPaused(logger, shard, agent.Position, stalled, _attempts, delay.TotalSeconds);
            return;
        }
        if (DateTime.UtcNow < _restartAt) return;
        _restartAt = null;
        await daemon.StartAgentAsync(shard, ct);
    }

    [LoggerMessage(Level = LogLevel.Error,
        Message = "{Shard} is paused at {Position} (attempt {Attempts}): {Stalled}; restarting it in {DelaySeconds} s")]
    private static partial void LogPaused(ILogger logger, string shard, long position, string stalled, int attempts, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Shard} is running again after {Attempts} restart(s), at {Position}")]
    private static partial void LogRecovered(ILogger logger, string shard, int attempts, long position);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The watch on {Shard} failed ({ErrorKind}); looking again shortly")]
    private static partial void LogWatchFailed(ILogger logger, string shard, string errorKind);
}

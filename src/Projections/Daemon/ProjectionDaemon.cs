using System.Collections.Concurrent;
using System.Diagnostics;
using Ledger.EventStore;
using Ledger.EventStore.Leases;
using Ledger.EventStore.Notifications;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Ledger.Projections.Daemon;

/// <summary>
/// Runs the projections this process holds. Every process runs a daemon; each projection's advisory lease decides
/// which one applies it. Every <see cref="ProjectionDaemonOptions.LeaseInterval"/> the daemon tries to take the leases
/// nobody holds, so when a holder dies (its connection closes and the lock with it) another process takes over
/// within about that interval. A holder wakes on appends (the <see cref="AppendSignal"/>, fed by this process's
/// appends and by LISTEN) and otherwise polls every <see cref="ProjectionDaemonOptions.PollInterval"/>.
/// </summary>
public sealed partial class ProjectionDaemon(
    IReadOnlyList<IProjection> projections, NpgsqlDataSource db, IEventStore store, AppendSignal signal,
    ProjectionDaemonOptions options, ILogger<ProjectionDaemon>? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger<ProjectionDaemon>.Instance;
    private readonly string _schema = AppendNotifier.SchemaOf(db);
    private readonly ConcurrentDictionary<string, ProjectionRunner> _held = new();

    /// <summary>The projections this daemon holds right now.</summary>
    public IReadOnlyCollection<string> Held => [.. _held.Keys];

    public async Task RunAsync(CancellationToken ct)
    {
        var running = new Dictionary<string, Task>();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                foreach (var projection in projections)
                {
                    if (running.TryGetValue(projection.Name, out var task) && !task.IsCompleted) continue;
                    var lease = await TryTakeAsync(projection, ct);
                    if (lease is not null) running[projection.Name] = HoldAsync(projection, lease, ct);
                }
                await Task.Delay(options.LeaseInterval, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        await Task.WhenAll(running.Values);
    }

    private async Task<AdvisoryLease?> TryTakeAsync(IProjection projection, CancellationToken ct)
    {
        try
        {
            return await AdvisoryLease.TryAcquireAsync(db, _schema, ProjectionLeases.Live(projection.Name), ct);
        }
        catch (Exception e) when (TransientErrors.Is(e))
        {
            LogLeaseFailed(_logger, e, projection.Name);
            return null;
        }
    }

    private async Task HoldAsync(IProjection projection, AdvisoryLease lease, CancellationToken ct)
    {
        await using var held = lease;
        var runner = new ProjectionRunner(projection, null, db, store, options, _logger, options.Owner);
        _held[projection.Name] = runner;
        LogTaken(_logger, projection.Name, options.Owner);
        var leaseChecked = Stopwatch.StartNew();
        var blockedDelay = options.HorizonRetryDelay;
        var errorDelay = TimeSpan.FromMilliseconds(100);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var pulse = signal.Next;
                StepOutcome outcome;
                try
                {
                    outcome = await runner.StepAsync(ct);
                    errorDelay = TimeSpan.FromMilliseconds(100);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    // A database error (transient) or a bug: the projection is neither advanced nor marked failed,
                    // because nothing says which event is at fault. Back off and step again.
                    if (TransientErrors.Is(e)) LogStepFailed(_logger, e, projection.Name);
                    else LogStepError(_logger, e, projection.Name);
                    await Task.Delay(errorDelay, ct);
                    errorDelay = TimeSpan.FromMilliseconds(Math.Min(errorDelay.TotalMilliseconds * 2, options.PollInterval.TotalMilliseconds * 5));
                    outcome = StepOutcome.Moved;
                    leaseChecked.Reset(); // a broken connection may mean a lost lease: check now
                }

                if (!leaseChecked.IsRunning || leaseChecked.Elapsed >= options.LeaseInterval)
                {
                    if (!await lease.StillHeldAsync(ct)) break;
                    leaseChecked.Restart();
                }

                switch (outcome)
                {
                    case StepOutcome.Blocked:
                        // Committed events wait behind an older open transaction: look again soon, then less often.
                        await AppendSignal.WaitAsync(pulse, blockedDelay, ct);
                        blockedDelay = TimeSpan.FromMilliseconds(Math.Min(blockedDelay.TotalMilliseconds * 2, options.PollInterval.TotalMilliseconds));
                        break;
                    case StepOutcome.Idle:
                        blockedDelay = options.HorizonRetryDelay;
                        await AppendSignal.WaitAsync(pulse, options.PollInterval, ct);
                        break;
                    case StepOutcome.Stopped or StepOutcome.Retired:
                        await Task.Delay(options.PollInterval, ct);
                        break;
                    default: // more to read, caught up (look once more), moved, retrying: step again at once
                        blockedDelay = options.HorizonRetryDelay;
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            _held.TryRemove(projection.Name, out _);
            LogReleased(_logger, projection.Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Projection {Projection} is now applied by this process ({Owner})")]
    private static partial void LogTaken(ILogger logger, string projection, string owner);

    [LoggerMessage(Level = LogLevel.Information, Message = "Projection {Projection} released by this process")]
    private static partial void LogReleased(ILogger logger, string projection);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not try the lease of projection {Projection}")]
    private static partial void LogLeaseFailed(ILogger logger, Exception exception, string projection);

    [LoggerMessage(Level = LogLevel.Error, Message = "Projection {Projection} step failed unexpectedly; retrying")]
    private static partial void LogStepError(ILogger logger, Exception exception, string projection);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Projection {Projection} step failed on a database error; retrying")]
    private static partial void LogStepFailed(ILogger logger, Exception exception, string projection);
}

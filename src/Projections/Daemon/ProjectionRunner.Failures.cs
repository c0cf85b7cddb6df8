using Ledger.EventStore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ledger.Projections.Daemon;

/// <summary>How a runner handles an event that fails: find it, retry it with backoff, then stop and say so.</summary>
public sealed partial class ProjectionRunner
{
    /// <summary>
    /// Which event of a failed batch fails: applies them one at a time in a transaction that is then rolled back.
    /// A batch that now goes through failed for a passing reason: its length is returned, to apply it again whole.
    /// </summary>
    private async Task<int> LocateFailureAsync(Checkpoint at, IReadOnlyList<RecordedEvent> events, ProjectionStatement?[] statements, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var from = at;
        for (var i = 0; i < events.Count; i++)
        {
            try
            {
                await BatchApplier.ApplyAsync(connection, transaction, from, [events[i]], [statements[i]], ct);
            }
            catch (EventApplyException)
            {
                return i;
            }
            from = Advanced(from, events[i]);
        }
        return events.Count;
    }

    private async Task<StepOutcome> FailAsync(Checkpoint at, RecordedEvent failing, Exception error, CancellationToken ct)
    {
        var attempts = at.FailingEventId == failing.EventId ? at.Attempts + 1 : 1;
        var stop = attempts >= options.MaxAttempts;
        var description = Describe(error);
        if (!await CheckpointStore.RecordFailureAsync(db, at, failing.EventId, attempts, description, stop, ct))
        {
            _checkpoint = null;
            return StepOutcome.Moved;
        }
        _checkpoint = at with
        {
            Attempts = attempts, FailingEventId = failing.EventId, LastError = description,
            Status = stop ? Checkpoint.Failed : at.Status,
        };
        // The log names the event and the kind of error, never the message: it may quote event data.
        var kind = error is PostgresException pg ? pg.SqlState : error.GetType().Name;
        if (stop)
        {
            LogStopped(logger, projection.Name, at.Generation, failing.EventId, failing.Position.ToString(), attempts, kind);
            return StepOutcome.Stopped;
        }
        LogRetrying(logger, projection.Name, at.Generation, failing.EventId, attempts, kind);
        await Task.Delay(options.RetryDelay(attempts), ct);
        return StepOutcome.Retrying;
    }

    private static string Describe(Exception error)
    {
        var text = error is PostgresException pg ? $"{pg.SqlState}: {pg.MessageText}" : $"{error.GetType().Name}: {error.Message}";
        return text.Length <= 1000 ? text : text[..1000];
    }

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Projection {Projection} g{Generation} stopped on event {EventId} at {Position} after {Attempts} attempts ({ErrorKind}); it resumes only when an operator skips the event")]
    private static partial void LogStopped(ILogger logger, string projection, int generation, Guid eventId, string position, int attempts, string errorKind);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Projection {Projection} g{Generation}: a batch failed set-based ({ErrorKind}) though each of its events applies alone; applying it one statement per event")]
    private static partial void LogSetBasedFailed(ILogger logger, string projection, int generation, string errorKind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Projection {Projection} g{Generation} failed on event {EventId}, attempt {Attempts} ({ErrorKind}); retrying")]
    private static partial void LogRetrying(ILogger logger, string projection, int generation, Guid eventId, int attempts, string errorKind);
}

using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten;
using EventDeserializationFailureException = Marten.Exceptions.EventDeserializationFailureException;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ledger.Projections.OnMarten;

/// <summary>
/// What Marten's daemon leaves to Ledger when a read model's projection fails: Marten pauses the shard (Ledger runs it
/// with <c>SkipApplyErrors</c> off, so nothing is skipped silently) and says neither which event failed nor when to
/// try again. The supervisor looks at this process's shards: a newly paused one is replayed event by event in a
/// transaction that is rolled back, to find the event that fails; the attempt is recorded, and the shard restarted
/// after a backoff, until <see cref="ProjectionOptions.MaxAttempts"/> — then the generation is <c>failed</c>: an
/// Error log naming the event and the kind of error (never the message, which may quote data), the stopped metric,
/// health degraded. It resumes only when an operator skips that event (<see cref="ProjectionSkips"/>). A page whose
/// events all apply alone failed for a passing reason and is retried with backoff until it goes through.
/// </summary>
public sealed partial class ProjectionSupervisor(
    IDocumentStore store, NpgsqlDataSource db, IReadOnlyList<ReadModelProjection> projections, ProjectionOptions options, ILogger logger)
{
    // What the supervisor did about each shard it saw paused: when to restart it, whether it stopped for good, and
    // from where it was restarted (its failure is forgotten once it gets past that position).
    private readonly Dictionary<string, Watch> _watched = new(StringComparer.Ordinal);

    /// <summary>Checks every <see cref="ProjectionOptions.SuperviseInterval"/> until cancelled; <paramref name="daemon"/> is null while this process runs no daemon.</summary>
    public async Task RunAsync(Func<IProjectionDaemon?> daemon, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (daemon() is { } running) await CheckAsync(running, ct);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                LogUnavailable(logger, e.GetType().Name);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // Whatever else goes wrong (a daemon stopping under it, say), the supervisor looks again next time:
                // a background service that throws would stop the Host.
                LogFailed(logger, e.GetType().Name); // the kind only: a message may quote event data
            }
            await Task.Delay(options.SuperviseInterval, ct);
        }
    }

    /// <summary>One look at the shards <paramref name="daemon"/> runs.</summary>
    public async Task CheckAsync(IProjectionDaemon daemon, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(daemon);
        var agents = daemon.CurrentAgents().ToDictionary(a => a.Name.Identity, StringComparer.Ordinal);
        foreach (var projection in projections)
        {
            var shard = projection.ShardName;
            if (!agents.TryGetValue(shard, out var agent)) continue;
            _watched.TryGetValue(shard, out var watch);
            if (agent.Status != AgentStatus.Paused)
            {
                if (watch?.RestartedFrom is { } from && agent.Position > from)
                {
                    _watched.Remove(shard);
                    if (await ProjectionGeneration.LoadAsync(db, projection.Model.Name, projection.Generation, ct) is { } running)
                        await running.ClearFailureAsync(db, ct);
                }
                continue;
            }
            if (await ProjectionGeneration.LoadAsync(db, projection.Model.Name, projection.Generation, ct) is not { } state) continue;
            if (state.Status == ProjectionGeneration.Failed)
            {
                _watched[shard] = new Watch(null, Stopped: true, null);
                ProjectionMetrics.Failed(shard, stopped: true);
                continue;
            }
            if (watch is { Stopped: true } || (watch?.RetryAt is { } due && DateTime.UtcNow >= due))
            {
                // An operator skipped the event it stopped on, or its backoff is over.
                _watched[shard] = new Watch(null, Stopped: false, agent.Position);
                ProjectionMetrics.Failed(shard, stopped: false);
                await projection.Skips.ReloadAsync(ct);
                await daemon.StartAgentAsync(shard, ct);
                continue;
            }
            if (watch?.RetryAt is not null) continue;
            await DiagnoseAsync(projection, state, agent.Position, ct);
        }
    }

    private sealed record Watch(DateTime? RetryAt, bool Stopped, long? RestartedFrom);

    private async Task DiagnoseAsync(ReadModelProjection projection, ProjectionGeneration state, long position, CancellationToken ct)
    {
        var shard = projection.ShardName;
        var failure = await FindFailureAsync(projection, position, ct);
        var attempts = failure.EventId == state.FailingEventId ? state.Attempts + 1 : 1;
        // Stopped for good only on an event that fails alone (an operator can judge and skip it). A page that failed
        // though each of its events applies alone failed for a passing reason (a deadlock, a connection lost, a right
        // missing for a while): it is retried with backoff for as long as it takes, never marked failed.
        var stop = failure.EventId is not null && attempts >= options.MaxAttempts;
        await state.RecordFailureAsync(db, failure.EventId, failure.Sequence, attempts, failure.Error, stop, ct);
        var eventId = failure.EventId?.ToString() ?? "(not found: the page failed as a whole)";
        if (stop)
        {
            _watched[shard] = new Watch(null, Stopped: true, null);
            ProjectionMetrics.Failed(shard, stopped: true);
            LogStopped(logger, shard, state.Generation, eventId, failure.Sequence ?? position, attempts, failure.Kind);
            return;
        }
        _watched[shard] = new Watch(DateTime.UtcNow + options.RetryDelay(attempts), Stopped: false, null);
        LogRetrying(logger, shard, state.Generation, eventId, attempts, failure.Kind);
    }

    /// <summary>
    /// Replays the events after <paramref name="position"/> one at a time in a transaction that is then rolled back;
    /// the first that fails is the one. None failing: the page failed for a passing reason.
    /// </summary>
    private async Task<Failure> FindFailureAsync(ReadModelProjection projection, long position, CancellationToken ct)
    {
        var limit = Math.Max(options.BatchSize, 1) * 2;
        IReadOnlyList<IEvent> events;
        try
        {
            events = await ProjectionEvents.ReadAsync(store, position, long.MaxValue, limit, ct);
        }
        catch (EventDeserializationFailureException)
        {
            return await FindUnreadableAsync(position, limit, ct);
        }
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        foreach (var e in events)
        {
            try
            {
                await ProjectionEvents.ApplyAsync(projection, [e], connection, transaction, ct);
            }
            catch (Exception error) when (error is PostgresException or ReadModelApplyException)
            {
                return new Failure(e.Id, e.Sequence, error is ReadModelApplyException { InnerException: { } inner } ? inner : error);
            }
        }
        return new Failure(null, null, new InvalidOperationException("every event after the position applies alone"));
    }

    /// <summary>The first event after <paramref name="position"/> that Marten cannot deserialize, read one by one.</summary>
    private async Task<Failure> FindUnreadableAsync(long position, int limit, CancellationToken ct)
    {
        var candidates = new List<(Guid Id, long Sequence)>();
        await using (var command = db.CreateCommand("SELECT id, seq_id FROM mt_events WHERE seq_id > $1 ORDER BY seq_id LIMIT $2"))
        {
            command.Parameters.Add(new() { Value = position });
            command.Parameters.Add(new() { Value = limit });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) candidates.Add((reader.GetGuid(0), reader.GetInt64(1)));
        }
        foreach (var (id, sequence) in candidates)
        {
            try
            {
                await ProjectionEvents.ReadAsync(store, sequence - 1, sequence, 1, ct);
            }
            catch (EventDeserializationFailureException e)
            {
                return new Failure(id, sequence, e.InnerException ?? e);
            }
        }
        return new Failure(null, null, new InvalidOperationException("an event could not be deserialized, then could"));
    }

    private sealed record Failure(Guid? EventId, long? Sequence, Exception Exception)
    {
        public string Kind => Exception is PostgresException pg ? pg.SqlState : Exception.GetType().Name;

        public string Error => Exception is PostgresException pg ? $"{pg.SqlState}: {pg.MessageText}" : $"{Exception.GetType().Name}: {Exception.Message}";
    }

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Projection {Shard} g{Generation} stopped on event {EventId} at {Position} after {Attempts} attempts ({ErrorKind}); it resumes only when an operator skips the event")]
    private static partial void LogStopped(ILogger logger, string shard, int generation, string eventId, long position, int attempts, string errorKind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Projection {Shard} g{Generation} failed on event {EventId}, attempt {Attempts} ({ErrorKind}); retrying")]
    private static partial void LogRetrying(ILogger logger, string shard, int generation, string eventId, int attempts, string errorKind);

    [LoggerMessage(Level = LogLevel.Error, Message = "Projection supervisor failed ({ErrorKind}); looking again shortly")]
    private static partial void LogFailed(ILogger logger, string errorKind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Projection supervisor cannot read the projections' state ({ErrorKind}); looking again shortly")]
    private static partial void LogUnavailable(ILogger logger, string errorKind);
}

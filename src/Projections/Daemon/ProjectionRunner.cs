using Ledger.EventStore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ledger.Projections.Daemon;

/// <summary>
/// Applies one projection step by step: read the events after the checkpoint, apply them and advance the checkpoint
/// in one transaction. Follows the live generation (the daemon), or one fixed generation (a rebuild). An event that
/// fails is retried with backoff and then stops the projection; it is passed over only if an operator skipped it.
/// </summary>
public sealed partial class ProjectionRunner(
    IProjection projection, int? generation, NpgsqlDataSource db, IEventStore store,
    ProjectionDaemonOptions options, ILogger logger, string? owner = null)
{
    private Checkpoint? _checkpoint;
    private HashSet<Guid> _skips = [];
    private int? _ownerRecordedFor;

    public IProjection Projection => projection;

    /// <summary>Where this runner stands, once it has loaded its checkpoint.</summary>
    public Checkpoint? Checkpoint => _checkpoint;

    /// <summary>Events this runner has read and applied (or passed over) since it was created.</summary>
    public long EventsProcessed { get; private set; }

    public async Task<StepOutcome> StepAsync(CancellationToken ct)
    {
        try
        {
            var at = _checkpoint ??= await LoadAsync(ct);
            if (at.Status == Checkpoint.Retired)
            {
                _checkpoint = null;
                return generation is null ? StepOutcome.Moved : StepOutcome.Retired;
            }
            if (at.Status == Checkpoint.Failed)
            {
                _checkpoint = null;
                at = _checkpoint = await LoadAsync(ct);
                if (at.Status != Checkpoint.Running) return at.Status == Checkpoint.Failed ? StepOutcome.Stopped : StepOutcome.Moved;
            }

            var events = await ReadAsync(at.Position, ct);
            if (events.Count > 0) return await ApplyAsync(at, events, ct);
            if (await CommittedAfterAsync(at.Position, ct)) return StepOutcome.Blocked;
            ProjectionMetrics.Idle(projection.Name);
            return StepOutcome.Idle;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whether a broken commit took effect is unknown: read the checkpoint again before the next step.
            _checkpoint = null;
            throw;
        }
    }

    /// <summary>Applies events in the caller's transaction (a swap's last catch-up); false when an event fails there.</summary>
    internal async Task<bool> ApplyWithinAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        var at = _checkpoint ??= await LoadAsync(ct);
        var events = await ReadAsync(at.Position, ct);
        if (events.Count == 0) return true;
        var statements = Build(events, out var failedAt, out _);
        if (failedAt < events.Count) return false;
        try
        {
            await BatchApplier.ApplyAsync(connection, transaction, at, events, statements, ct, options.SetBased);
        }
        catch (EventApplyException)
        {
            return false;
        }
        _checkpoint = Advanced(at, events[^1]);
        EventsProcessed += events.Count;
        return true;
    }

    /// <summary>Drops what this runner believes of its checkpoint (after a rolled-back transaction); the next step reloads it.</summary>
    internal void Forget() => _checkpoint = null;

    private async Task<StepOutcome> ApplyAsync(Checkpoint at, IReadOnlyList<RecordedEvent> events, CancellationToken ct)
    {
        var statements = Build(events, out var count, out var error);
        var setBased = options.SetBased;
        while (true)
        {
            if (count == 0) return await FailAsync(at, events[0], error!, ct);
            var run = count == events.Count ? events : events.Take(count).ToList();
            try
            {
                await using (var connection = await db.OpenConnectionAsync(ct))
                await using (var transaction = await connection.BeginTransactionAsync(ct))
                {
                    await BatchApplier.ApplyAsync(connection, transaction, at, run, statements, ct, setBased);
                    await transaction.CommitAsync(ct);
                }
                _checkpoint = Advanced(at, run[^1]);
                EventsProcessed += count;
                var caughtUp = count < options.BatchSize && count == events.Count;
                ProjectionMetrics.Applied(projection.Name, count, run[^1].RecordedAt, caughtUp);
                return caughtUp ? StepOutcome.CaughtUp : StepOutcome.MoreToRead;
            }
            catch (EventApplyException e)
            {
                // Apply what came before the failing event, so the failure is attempted alone at the checkpoint.
                count = e.Index >= 0 ? e.Index : await LocateFailureAsync(at, run, statements, ct);
                if (count == run.Count && setBased)
                {
                    // Every event applies alone, so the set-based form of the batch is what failed: apply it as written.
                    LogSetBasedFailed(logger, projection.Name, at.Generation, e.InnerException is PostgresException pg ? pg.SqlState : "?");
                    setBased = false;
                    continue;
                }
                if (count == run.Count)
                    throw new InvalidOperationException($"A batch of {projection.Name} failed, but none of its events does alone.", e.InnerException);
                error = e.InnerException;
            }
            catch (CheckpointMovedException)
            {
                _checkpoint = null;
                return StepOutcome.Moved;
            }
        }
    }

    private ProjectionStatement?[] Build(IReadOnlyList<RecordedEvent> events, out int count, out Exception? error)
    {
        var statements = new ProjectionStatement?[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            if (_skips.Contains(events[i].EventId)) continue;
            try
            {
                statements[i] = projection.Apply(events[i]);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                count = i;
                error = e;
                return statements;
            }
        }
        count = events.Count;
        error = null;
        return statements;
    }

    private async Task<Checkpoint> LoadAsync(CancellationToken ct)
    {
        var checkpoint = generation is { } fixedGeneration
            ? await CheckpointStore.LoadAsync(db, projection.Name, fixedGeneration, ct)
              ?? throw new InvalidOperationException($"Generation {fixedGeneration} of projection '{projection.Name}' does not exist.")
            : await CheckpointStore.LoadLiveAsync(db, projection.Name, ct);
        _skips = await CheckpointStore.LoadSkipsAsync(db, projection.Name, ct);
        // Once per generation held: a stopped projection reloads every poll and need not write each time.
        if (owner is not null && checkpoint.Status != Checkpoint.Retired && _ownerRecordedFor != checkpoint.Generation)
        {
            await CheckpointStore.RecordOwnerAsync(db, projection.Name, checkpoint.Generation, owner, ct);
            _ownerRecordedFor = checkpoint.Generation;
        }
        return checkpoint;
    }

    private static Checkpoint Advanced(Checkpoint at, RecordedEvent last) =>
        at with { Position = last.Position, Attempts = 0, FailingEventId = null, LastError = null };
}

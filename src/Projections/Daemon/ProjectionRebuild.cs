using Ledger.EventStore;
using Ledger.EventStore.Leases;
using Ledger.EventStore.Notifications;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Ledger.Projections.Daemon;

/// <summary>How far a rebuild is: events processed into the new generation, out of the events in the store.</summary>
public sealed record RebuildProgress(int Generation, long Processed, long Total);

/// <summary>How a rebuild ended; <see cref="Failure"/> is set when an event stopped it (skip it, then run it again).</summary>
public sealed record RebuildResult(int Generation, int? Replaced, long Processed, Checkpoint? Failure);

/// <summary>
/// Rebuilds a read model blue/green: builds the next generation's tables beside the live ones, applies every event
/// into them under their own checkpoint, then swaps the views over (<see cref="GenerationSwap"/>) and drops the old
/// generation. The live model keeps serving throughout. Interrupted, the new generation stays where it got to: the
/// next rebuild resumes it, or with <c>restart</c> drops it and starts over. One rebuild per projection at a time.
/// </summary>
public sealed class ProjectionRebuild(
    IProjection projection, NpgsqlDataSource app, NpgsqlDataSource admin, IEventStore store,
    ProjectionDaemonOptions options, string appRole, ILogger? logger = null)
{
    public async Task<RebuildResult> RunAsync(bool restart, IProgress<RebuildProgress>? progress, CancellationToken ct)
    {
        var name = projection.Name;
        await using var lease = await AdvisoryLease.TryAcquireAsync(app, AppendNotifier.SchemaOf(app), ProjectionLeases.Rebuild(name), ct)
            ?? throw new RebuildAlreadyRunningException(name);

        var generation = await PrepareAsync(restart, ct);
        var runner = new ProjectionRunner(projection, generation, app, store, options, logger ?? NullLogger.Instance, $"{options.Owner} (rebuild)");
        var (processedBefore, total) = await CountAsync(generation, ct);
        while (true)
        {
            var outcome = await runner.StepAsync(ct);
            var processed = processedBefore + runner.EventsProcessed;
            if (processed > total) total = (await CountAsync(generation, ct)).Total;
            progress?.Report(new RebuildProgress(generation, processed, Math.Max(total, processed)));
            switch (outcome)
            {
                case StepOutcome.Stopped:
                    return new RebuildResult(generation, null, processed, runner.Checkpoint);
                case StepOutcome.Retired:
                    throw new InvalidOperationException($"Generation {generation} of '{name}' was retired during the rebuild.");
                case StepOutcome.Idle or StepOutcome.CaughtUp or StepOutcome.Blocked:
                    var live = (await Generations.LoadAsync(admin, name, ct)).Live;
                    if (!await GenerationSwap.SwapAsync(admin, runner, live, ct)) continue; // an event failed: the runner records it
                    await Generations.DropAsync(admin, name, live, ct);
                    return new RebuildResult(generation, live, processedBefore + runner.EventsProcessed, null);
            }
        }
    }

    /// <summary>The generation to build: the one an interrupted rebuild left (unless restarting), or a new one.</summary>
    private async Task<int> PrepareAsync(bool restart, CancellationToken ct)
    {
        var generations = await Generations.LoadAsync(admin, projection.Name, ct);
        if (generations.Building is { } building)
        {
            if (!restart) return building;
            await Generations.DropAsync(admin, projection.Name, building, ct);
        }
        var next = generations.Highest + 1;
        await Generations.CreateAsync(admin, projection.Name, next, appRole, ct);
        return next;
    }

    private async Task<(long Processed, long Total)> CountAsync(int generation, CancellationToken ct)
    {
        await using var command = app.CreateCommand(
            "SELECT (SELECT events_processed FROM projection_checkpoints WHERE name = $1 AND generation = $2), (SELECT count(*) FROM ledger_chain)");
        command.Parameters.Add(new() { Value = projection.Name });
        command.Parameters.Add(new() { Value = generation });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.IsDBNull(0) ? 0 : reader.GetInt64(0), reader.GetInt64(1));
    }
}

public sealed class RebuildAlreadyRunningException(string name)
    : Exception($"A rebuild of projection '{name}' is already running in another process.");

using System.Text.Json;
using JasperFx;
using JasperFx.Events.Daemon;
using Ledger.EventStore.Leases;
using Ledger.EventStore.MartenStore;
using Ledger.Projections.Model;
using Marten;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ledger.Projections.OnMarten;

/// <summary>How far a rebuild is: the new generation's position, out of the last event in the store.</summary>
public sealed record RebuildProgress(int Generation, long Position, long Total);

/// <summary>How a rebuild ended; <see cref="Failure"/> is set when an event stopped it (skip it, then run it again).</summary>
public sealed record RebuildResult(int Generation, int? Replaced, long Position, ProjectionGeneration? Failure, string? LastError = null);

/// <summary>
/// Rebuilds a read model blue/green on Marten's daemon: creates the next generation's tables beside the live ones and
/// runs the read model into them as its next Marten projection version (shard <c>{name}:V{n}:All</c>, in this process),
/// while the live projection keeps serving; once the new version is close to the live one, stops it and swaps it in
/// (<see cref="GenerationSwap"/>), then drops the old generation. Interrupted, the new generation stays where its
/// progress got to: the next rebuild resumes it, or with <c>restart</c> drops it and starts over. One rebuild per read
/// model at a time (an advisory lease); a failing event is retried, then stops the rebuild (the live model is untouched).
/// </summary>
public sealed class ProjectionRebuild(
    IReadModel model, NpgsqlDataSource app, NpgsqlDataSource admin, EventShapes shapes, JsonSerializerOptions json,
    ProjectionOptions options, string appRole, ILogger logger)
{
    /// <summary>How close (in events) the new generation gets before the swap catches it up the rest of the way.</summary>
    public const long SwapDistance = 2000;

    public static string LeaseName(string projection) => "projection-rebuild:" + projection;

    public async Task<RebuildResult> RunAsync(bool restart, IProgress<RebuildProgress>? progress, CancellationToken ct)
    {
        var name = model.Name;
        var schema = Ledger.EventStore.Connections.LedgerDataSource.SchemaOf(app);
        await using var lease = await AdvisoryLease.TryAcquireAsync(app, schema, LeaseName(name), ct)
            ?? throw new RebuildAlreadyRunningException(name);
        var generation = await PrepareAsync(restart, ct);

        var building = ReadModelRegistration.Create([model], app, shapes, json, options, generation);
        var projection = building[0];
        await using var store = DocumentStore.For(marten =>
        {
            marten.Connection(app);
            LedgerMarten.Configure(marten, schema, shapes, json);
            marten.AddReadModels(building, options);
        });
        var supervisor = new ProjectionSupervisor(store, app, building, options, logger);
        using var daemon = await store.BuildProjectionDaemonAsync(logger: logger);
        await daemon.StartAgentAsync(projection.ShardName, ct);
        var stoppedAt = (DateTime?)null;
        try
        {
            while (true)
            {
                await supervisor.CheckAsync(daemon, ct);
                var state = await ProjectionGeneration.LoadAsync(app, name, generation, ct)
                    ?? throw new InvalidOperationException($"Generation {generation} of '{name}' was retired during the rebuild.");
                var (built, live, total) = await PositionsAsync(projection.ShardName, ct);
                progress?.Report(new RebuildProgress(generation, built, Math.Max(total, built)));
                if (state.Status == ProjectionGeneration.Failed)
                    return new RebuildResult(generation, null, built, state, await LastErrorAsync(generation, ct));
                if (stoppedAt is null && live - built <= SwapDistance && IsRunning(daemon, projection))
                {
                    await daemon.StopAgentAsync(projection.ShardName); // drains its page and records its progress
                    stoppedAt = DateTime.UtcNow;
                    continue;
                }
                // The swap catches the new generation up to the live one. Ahead of it (the live projection lags), it
                // waits a little for the live one to pass: each event then reaches the new generation once. A live
                // projection that does not move (no Host runs it) is not waited for: it applies those events again
                // later, which the read models' idempotent statements allow.
                if (stoppedAt is { } since && (built <= live || DateTime.UtcNow - since > LiveWait))
                {
                    var replaced = (await Generations.LoadAsync(admin, name, ct)).Live;
                    if (await GenerationSwap.SwapAsync(admin, store, projection, ct))
                    {
                        await daemon.StopAllAsync();
                        await Generations.DropAsync(admin, name, replaced, ct);
                        await Generations.ForgetShardAsync(admin, projection.ShardName, ct);
                        var swappedAt = Math.Max(live, built); // the swap caught it up to the live projection
                        progress?.Report(new RebuildProgress(generation, swappedAt, swappedAt));
                        return new RebuildResult(generation, replaced, swappedAt, null);
                    }
                    await daemon.StartAgentAsync(projection.ShardName, ct); // an event failed: the supervisor takes it from here
                    stoppedAt = null;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(50), ct);
            }
        }
        finally
        {
            await daemon.StopAllAsync();
        }
    }

    /// <summary>How long a rebuild ahead of the live projection waits for it before swapping anyway.</summary>
    public static readonly TimeSpan LiveWait = TimeSpan.FromSeconds(5);

    private static bool IsRunning(IProjectionDaemon daemon, ReadModelProjection projection) =>
        daemon.CurrentAgents().Any(a => a.Name.Identity == projection.ShardName && a.Status == AgentStatus.Running);

    /// <summary>The generation to build: the one an interrupted rebuild left (unless restarting), or a new one.</summary>
    private async Task<int> PrepareAsync(bool restart, CancellationToken ct)
    {
        var generations = await Generations.LoadAsync(admin, model.Name, ct);
        if (generations.Building is { } building)
        {
            if (!restart) return building;
            await Generations.DropAsync(admin, model.Name, building, ct);
        }
        var next = generations.Highest + 1;
        await Generations.ForgetShardAsync(admin, ProjectionShards.Of(model.Name, next), ct);
        await Generations.CreateAsync(admin, model.Name, next, appRole, ct);
        return next;
    }

    /// <summary>The building shard's position, the live one's, and the last event's.</summary>
    private async Task<(long Built, long Live, long Total)> PositionsAsync(string shard, CancellationToken ct)
    {
        await using var command = app.CreateCommand("""
            SELECT coalesce((SELECT last_seq_id FROM mt_event_progression WHERE name = $1), 0),
                   coalesce((SELECT last_seq_id FROM mt_event_progression WHERE name = $2), 0),
                   coalesce((SELECT max(seq_id) FROM mt_events), 0)
            """);
        command.Parameters.Add(new() { Value = shard });
        command.Parameters.Add(new() { Value = ProjectionShards.Live(model.Name) });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    private async Task<string?> LastErrorAsync(int generation, CancellationToken ct)
    {
        await using var command = app.CreateCommand("SELECT last_error FROM projection_generations WHERE name = $1 AND generation = $2");
        command.Parameters.Add(new() { Value = model.Name });
        command.Parameters.Add(new() { Value = generation });
        return await command.ExecuteScalarAsync(ct) as string;
    }
}

public sealed class RebuildAlreadyRunningException(string name)
    : Exception($"A rebuild of projection '{name}' is already running in another process.");

using Ledger.EventStore.MartenStore;
using Ledger.Projections.Model;
using Ledger.Projections.OnMarten;
using Ledger.TestSupport;
using Marten;

namespace Ledger.Projections.Tests.Infrastructure;

/// <summary>
/// A new generation of a read model being built, as a rebuild builds it: its tables created, the model running into
/// them as its next Marten version on a daemon of its own.
/// </summary>
public sealed class GenerationBuild : IAsyncDisposable
{
    private readonly TestDatabase _db;
    private readonly DocumentStore _store;
    private readonly JasperFx.Events.Daemon.IProjectionDaemon _daemon;

    private GenerationBuild(TestDatabase db, int generation, ReadModelProjection projection, DocumentStore store, JasperFx.Events.Daemon.IProjectionDaemon daemon) =>
        (_db, Generation, Projection, _store, _daemon) = (db, generation, projection, store, daemon);

    public int Generation { get; }
    public ReadModelProjection Projection { get; }
    public IDocumentStore Store => _store;
    public JasperFx.Events.Daemon.IProjectionDaemon Daemon => _daemon;

    /// <param name="alter">DDL to run on the new generation's tables before it starts ({g} stands for its suffix).</param>
    public static async Task<GenerationBuild> StartAsync(TestDatabase db, IReadModel model, ProjectionOptions options, string? alter = null)
    {
        var ct = CancellationToken.None;
        var generation = (await Generations.LoadAsync(db.AdminDataSource, model.Name, ct)).Highest + 1;
        await Generations.CreateAsync(db.AdminDataSource, model.Name, generation, TestDatabase.AppRole, ct);
        if (alter is not null)
        {
            await using var command = db.AdminDataSource.CreateCommand(alter.Replace("{g}", $"g{generation}", StringComparison.Ordinal));
            await command.ExecuteNonQueryAsync(ct);
        }
        var projections = ReadModelRegistration.Create([model], db.AppDataSource, TestDatabase.Shapes(), TestDatabase.Json, options, generation);
        var store = DocumentStore.For(marten =>
        {
            marten.Connection(db.AppDataSource);
            LedgerMarten.Configure(marten, db.Schema, TestDatabase.Shapes(), TestDatabase.Json);
            marten.AddReadModels(projections, options);
        });
        var daemon = await store.BuildProjectionDaemonAsync();
        await daemon.StartAgentAsync(projections[0].ShardName, ct);
        return new GenerationBuild(db, generation, projections[0], store, daemon);
    }

    /// <summary>Its progress in Marten's table.</summary>
    public Task<long> PositionAsync() => _db.AdminDataSource.ScalarAsync<long>(
        "SELECT coalesce((SELECT last_seq_id FROM mt_event_progression WHERE name = $1), 0)", Projection.ShardName);

    public async ValueTask DisposeAsync()
    {
        await _daemon.StopAllAsync();
        _daemon.Dispose();
        await _store.DisposeAsync();
    }
}

/// <summary>From-scratch generations to compare a live read model against, row by row.</summary>
public static class GenerationCompare
{
    /// <summary>
    /// Builds a new generation of <paramref name="model"/> from the first event to the last, beside the live one: its
    /// next Marten version on a daemon of its own, run until it has applied every event committed so far.
    /// </summary>
    public static async Task<int> BuildFromScratchAsync(TestDatabase db, IReadModel model, ProjectionOptions? options = null)
    {
        await using var build = await GenerationBuild.StartAsync(db, model, options ?? new ProjectionOptions { BatchSize = 1000 });
        var head = await db.HeadAsync();
        await Eventually.Until(build.PositionAsync, position => position >= head, TimeSpan.FromSeconds(120),
            $"generation {build.Generation} of {model.Name} to reach {head}");
        return build.Generation;
    }

    /// <summary>Rows in one generation's tables and not the other's (either way, duplicates counted), and the rows compared.</summary>
    public static async Task<(long Differences, long Rows)> CompareAsync(TestDatabase db, string projection, int a, int b)
    {
        var tables = await db.AdminDataSource.ScalarAsync<string[]>("SELECT tables FROM projections WHERE name = $1", projection);
        long differences = 0, rows = 0;
        foreach (var table in tables)
        {
            var (ta, tb) = ($"{table}_g{a}", $"{table}_g{b}");
            differences += await db.AdminDataSource.ScalarAsync<long>(
                $"SELECT count(*) FROM ((TABLE {ta} EXCEPT ALL TABLE {tb}) UNION ALL (TABLE {tb} EXCEPT ALL TABLE {ta})) d");
            rows += await db.AdminDataSource.ScalarAsync<long>($"SELECT count(*) FROM {ta}");
        }
        return (differences, rows);
    }
}

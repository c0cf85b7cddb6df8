using Ledger.Projections.Daemon;
using Ledger.TestSupport;
using Npgsql;

namespace Ledger.Projections.Tests.Infrastructure;

/// <summary>A fresh schema with the projections module (and the test projection) migrated, plus what tests ask of it.</summary>
public static class ProjectionDb
{
    public static Task<TestDatabase> CreateAsync() =>
        TestDatabase.CreateAsync(ProjectionMigrations.Set, EventLogProjection.Migrations);

    /// <summary>The order read models and the test projection: what these tests run (the invoicing models have their own).</summary>
    public static IReadOnlyList<IProjection> AllWithTestLog { get; } = [.. LedgerProjections.Orders, new EventLogProjection()];

    public static async Task<T> ScalarAsync<T>(this NpgsqlDataSource db, string sql, params object?[] parameters)
    {
        await using var command = db.CreateCommand(sql);
        foreach (var p in parameters) command.Parameters.Add(new NpgsqlParameter { Value = p ?? DBNull.Value });
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public static async Task<Checkpoint> LiveCheckpointAsync(this TestDatabase db, string projection) =>
        await CheckpointStore.LoadLiveAsync(db.AdminDataSource, projection, CancellationToken.None);

    /// <summary>The position of the last committed event in the store, in the readers' order.</summary>
    public static async Task<EventStore.GlobalPosition> HeadAsync(this TestDatabase db)
    {
        await db.SealedAsync();
        await using var command = db.AdminDataSource.CreateCommand("SELECT seq FROM ledger_events ORDER BY seq DESC LIMIT 1");
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? new(reader.GetInt64(0)) : EventStore.GlobalPosition.Start;
    }

    /// <summary>Waits until the live generation of each projection has applied every event committed so far.</summary>
    public static async Task CaughtUpAsync(this TestDatabase db, IEnumerable<string> projections, TimeSpan? timeout = null)
    {
        var head = await db.HeadAsync();
        foreach (var name in projections)
            await Eventually.Until(() => db.LiveCheckpointAsync(name), c => c.Position >= head || c.Status == Checkpoint.Failed,
                timeout ?? TimeSpan.FromSeconds(60), $"{name} to reach {head}");
        foreach (var name in projections)
            (await db.LiveCheckpointAsync(name)).Status.ShouldBe(Checkpoint.Running, $"{name}: {(await db.LiveCheckpointAsync(name)).LastError}");
    }
}

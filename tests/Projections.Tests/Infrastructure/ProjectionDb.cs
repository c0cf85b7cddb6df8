using Ledger.Projections.Model;
using Ledger.Projections.OnMarten;
using Ledger.TestSupport;
using Npgsql;

namespace Ledger.Projections.Tests.Infrastructure;

/// <summary>A fresh schema with the projections module (and the test projection) migrated, plus what tests ask of it.</summary>
public static class ProjectionDb
{
    public static Task<TestDatabase> CreateAsync() =>
        TestDatabase.CreateAsync(ProjectionMigrations.Set, EventLogProjection.Migrations);

    /// <summary>The order read models and the test projection: what these tests run (the invoicing models have their own).</summary>
    public static IReadOnlyList<IReadModel> AllWithTestLog { get; } = [.. LedgerProjections.Orders, new EventLogProjection()];

    public static async Task<T> ScalarAsync<T>(this NpgsqlDataSource db, string sql, params object?[] parameters)
    {
        await using var command = db.CreateCommand(sql);
        foreach (var p in parameters) command.Parameters.Add(new NpgsqlParameter { Value = p ?? DBNull.Value });
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The live generation's state (Ledger's) and position (its shard's progress in Marten's table).</summary>
    public static async Task<LiveState> LiveStateAsync(this TestDatabase db, string projection)
    {
        await using var command = db.AdminDataSource.CreateCommand("""
            SELECT g.generation, g.status, g.attempts, g.failing_event_id, g.last_error,
                   coalesce((SELECT last_seq_id FROM mt_event_progression WHERE name = $2), 0)
              FROM projection_generations g JOIN projections p ON p.name = g.name AND p.live_generation = g.generation
             WHERE g.name = $1
            """);
        command.Parameters.Add(new() { Value = projection });
        command.Parameters.Add(new() { Value = ProjectionShards.Live(projection) });
        await using var reader = await command.ExecuteReaderAsync();
        (await reader.ReadAsync()).ShouldBeTrue($"no live generation of {projection}");
        return new LiveState(reader.GetInt32(0), reader.GetString(1), reader.GetInt32(2),
            reader.IsDBNull(3) ? null : reader.GetGuid(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt64(5));
    }

    /// <summary>The last committed event's position.</summary>
    public static Task<long> HeadAsync(this TestDatabase db) =>
        db.AdminDataSource.ScalarAsync<long>("SELECT coalesce(max(seq_id), 0) FROM mt_events");

    /// <summary>Waits until the live projection of each read model has applied every event committed so far.</summary>
    public static async Task CaughtUpAsync(this TestDatabase db, IEnumerable<string> projections, TimeSpan? timeout = null)
    {
        var head = await db.HeadAsync();
        foreach (var name in projections)
            await Eventually.Until(() => db.LiveStateAsync(name), s => s.Position >= head || s.Status == ProjectionGeneration.Failed,
                timeout ?? TimeSpan.FromSeconds(60), $"{name} to reach {head}");
        foreach (var name in projections)
        {
            var state = await db.LiveStateAsync(name);
            state.Status.ShouldBe(ProjectionGeneration.Running, $"{name}: {state.LastError}");
        }
    }
}

/// <summary>A live generation as the tests look at it.</summary>
public sealed record LiveState(int Generation, string Status, int Attempts, Guid? FailingEventId, string? LastError, long Position);

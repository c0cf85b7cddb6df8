using Npgsql;

namespace Ledger.Projections.OnMarten;

/// <summary>
/// A generation's state in <c>projection_generations</c>: running, or failed (stopped on an event until an operator
/// skips it), with the attempts at the event it is failing on. Marten keeps the position; Ledger keeps this.
/// </summary>
public sealed record ProjectionGeneration(string Name, int Generation, string Status, int Attempts, Guid? FailingEventId)
{
    public const string Running = "running";
    public const string Failed = "failed";

    /// <summary>The generation's row (null generation: the live one), or null when it is retired or gone.</summary>
    public static async Task<ProjectionGeneration?> LoadAsync(NpgsqlDataSource db, string name, int? generation, CancellationToken ct)
    {
        await using var command = db.CreateCommand("""
            SELECT g.generation, g.status, g.attempts, g.failing_event_id FROM projection_generations g
             WHERE g.name = $1 AND g.generation = coalesce($2, (SELECT live_generation FROM projections WHERE name = $1))
               AND g.status <> 'retired'
            """);
        command.Parameters.Add(new() { Value = name });
        command.Parameters.Add(new() { Value = (object?)generation ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new ProjectionGeneration(name, reader.GetInt32(0), reader.GetString(1), reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetGuid(3));
    }

    /// <summary>Records an attempt that failed on <paramref name="eventId"/>; with <paramref name="stop"/>, the generation is failed.</summary>
    public async Task RecordFailureAsync(NpgsqlDataSource db, Guid? eventId, long? seq, int attempts, string error, bool stop, CancellationToken ct)
    {
        await using var command = db.CreateCommand("""
            UPDATE projection_generations
               SET attempts = $3, failing_event_id = $4, failing_seq = $5, last_error = $6,
                   status = CASE WHEN $7 THEN 'failed' ELSE status END, updated_at = clock_timestamp()
             WHERE name = $1 AND generation = $2 AND status = 'running'
            """);
        command.Parameters.Add(new() { Value = Name });
        command.Parameters.Add(new() { Value = Generation });
        command.Parameters.Add(new() { Value = attempts });
        command.Parameters.Add(new() { Value = (object?)eventId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        command.Parameters.Add(new() { Value = (object?)seq ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        command.Parameters.Add(new() { Value = error.Length <= 1000 ? error : error[..1000] });
        command.Parameters.Add(new() { Value = stop });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Forgets the attempts once the projection got past the event it was failing on.</summary>
    public async Task ClearFailureAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var command = db.CreateCommand("""
            UPDATE projection_generations SET attempts = 0, failing_event_id = NULL, failing_seq = NULL, last_error = NULL,
                   updated_at = clock_timestamp()
             WHERE name = $1 AND generation = $2 AND status = 'running' AND (attempts > 0 OR failing_event_id IS NOT NULL)
            """);
        command.Parameters.Add(new() { Value = Name });
        command.Parameters.Add(new() { Value = Generation });
        await command.ExecuteNonQueryAsync(ct);
    }
}

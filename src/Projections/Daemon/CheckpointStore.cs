using Ledger.EventStore;
using Npgsql;

namespace Ledger.Projections.Daemon;

/// <summary>Reads and updates checkpoint rows outside a batch (the batch itself advances through <c>projection_advance</c>).</summary>
internal static class CheckpointStore
{
    /// <summary>The live generation's checkpoint.</summary>
    public static async Task<Checkpoint> LoadLiveAsync(NpgsqlDataSource db, string name, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"""
            SELECT {Checkpoint.Columns} FROM projection_checkpoints
             WHERE name = $1 AND generation = (SELECT live_generation FROM projections WHERE name = $1)
            """);
        command.Parameters.Add(new() { Value = name });
        return await ReadOne(command, ct) ?? throw new InvalidOperationException($"Projection '{name}' is not in the projections table; are its migrations applied?");
    }

    public static async Task<Checkpoint?> LoadAsync(NpgsqlDataSource db, string name, int generation, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"SELECT {Checkpoint.Columns} FROM projection_checkpoints WHERE name = $1 AND generation = $2");
        command.Parameters.Add(new() { Value = name });
        command.Parameters.Add(new() { Value = generation });
        return await ReadOne(command, ct);
    }

    public static async Task RecordOwnerAsync(NpgsqlDataSource db, string name, int generation, string owner, CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            "UPDATE projection_checkpoints SET owner = $3, owner_since = clock_timestamp() WHERE name = $1 AND generation = $2 AND status <> 'retired'");
        command.Parameters.Add(new() { Value = name });
        command.Parameters.Add(new() { Value = generation });
        command.Parameters.Add(new() { Value = owner });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Records a failed attempt at the event after the checkpoint, and stops the generation when <paramref name="stop"/>.
    /// Only if the checkpoint is still where the attempt started: false when someone moved it meanwhile.
    /// </summary>
    public static async Task<bool> RecordFailureAsync(
        NpgsqlDataSource db, Checkpoint at, Guid eventId, int attempts, string error, bool stop, CancellationToken ct)
    {
        await using var command = db.CreateCommand("""
            UPDATE projection_checkpoints
               SET attempts = $4, failing_event_id = $5, last_error = $6, updated_at = clock_timestamp(),
                   status = CASE WHEN $7 THEN 'failed' ELSE status END
             WHERE name = $1 AND generation = $2 AND seq = $3 AND status = 'running'
            """);
        command.Parameters.Add(new() { Value = at.Name });
        command.Parameters.Add(new() { Value = at.Generation });
        command.Parameters.Add(new() { Value = at.Position.Seq });
        command.Parameters.Add(new() { Value = attempts });
        command.Parameters.Add(new() { Value = eventId });
        command.Parameters.Add(new() { Value = error });
        command.Parameters.Add(new() { Value = stop });
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Events an operator skipped for this projection: every generation passes over them.</summary>
    public static async Task<HashSet<Guid>> LoadSkipsAsync(NpgsqlDataSource db, string name, CancellationToken ct)
    {
        await using var command = db.CreateCommand("SELECT event_id FROM projection_skips WHERE name = $1");
        command.Parameters.Add(new() { Value = name });
        var skips = new HashSet<Guid>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) skips.Add(reader.GetGuid(0));
        return skips;
    }

    private static async Task<Checkpoint?> ReadOne(NpgsqlCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Checkpoint.Read(reader) : null;
    }
}

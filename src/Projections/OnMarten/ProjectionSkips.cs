using Npgsql;

namespace Ledger.Projections.OnMarten;

/// <summary>
/// An operator's decision to pass over the one event a projection stopped on. Refused unless the projection is
/// stopped on exactly that event, so nothing is ever skipped by mistake or in advance. The skip is recorded (who,
/// when, why, and the error it stopped with) and every generation honours it, rebuilds included; the process running
/// the projection sees the generation running again and restarts it past the event (<see cref="ProjectionSupervisor"/>).
/// </summary>
public static class ProjectionSkips
{
    /// <summary>Records the skip and lets the stopped generations resume past that event; returns how many resume.</summary>
    /// <exception cref="ProjectionSkipRefusedException">the projection is not stopped on that event.</exception>
    public static async Task<int> SkipAsync(NpgsqlDataSource admin, string name, Guid eventId, string by, string reason, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(admin);
        await using var connection = await admin.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var skip = new NpgsqlCommand("""
            WITH stopped AS (
                SELECT name, generation, failing_seq, last_error FROM projection_generations
                 WHERE name = $1 AND status = 'failed' AND failing_event_id = $2
                 ORDER BY generation FOR UPDATE),
            skipped AS (
                INSERT INTO projection_skips (name, event_id, generation, seq, error, reason, skipped_by)
                SELECT s.name, $2, s.generation, s.failing_seq, s.last_error, $3, $4
                  FROM (SELECT * FROM stopped LIMIT 1) s
                ON CONFLICT (name, event_id) DO NOTHING)
            UPDATE projection_generations g
               SET status = 'running', attempts = 0, failing_event_id = NULL, failing_seq = NULL, last_error = NULL,
                   updated_at = clock_timestamp()
              FROM stopped s WHERE g.name = s.name AND g.generation = s.generation
            """, connection, transaction);
        skip.Parameters.Add(new() { Value = name });
        skip.Parameters.Add(new() { Value = eventId });
        skip.Parameters.Add(new() { Value = reason });
        skip.Parameters.Add(new() { Value = by });
        var resumed = await skip.ExecuteNonQueryAsync(ct);
        if (resumed == 0) throw new ProjectionSkipRefusedException(name, eventId);
        await transaction.CommitAsync(ct);
        return resumed;
    }
}

/// <summary>
/// An operator's decision to try a stopped projection again on the event it stopped on, once what made it fail is put
/// right (a constraint fixed, a right granted back): nothing is skipped, the attempts start over.
/// </summary>
public static class ProjectionRetries
{
    /// <summary>Sets the failed generations of <paramref name="name"/> running again; returns how many.</summary>
    /// <exception cref="ProjectionNotStoppedException">no generation of it is stopped.</exception>
    public static async Task<int> RetryAsync(NpgsqlDataSource admin, string name, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(admin);
        await using var retry = admin.CreateCommand("""
            UPDATE projection_generations SET status = 'running', attempts = 0, updated_at = clock_timestamp()
             WHERE name = $1 AND status = 'failed'
            """);
        retry.Parameters.Add(new() { Value = name });
        var resumed = await retry.ExecuteNonQueryAsync(ct);
        return resumed > 0 ? resumed : throw new ProjectionNotStoppedException(name);
    }
}

public sealed class ProjectionNotStoppedException(string name)
    : Exception($"Projection '{name}' is not stopped on a failing event; there is nothing to retry.");

public sealed class ProjectionSkipRefusedException(string name, Guid eventId)
    : Exception($"Projection '{name}' is not stopped on event {eventId}; only the event a projection stopped on can be skipped.");

using Ledger.EventStore;
using Ledger.EventStore.Notifications;
using Npgsql;

namespace Ledger.Projections.Daemon;

/// <summary>
/// One generation of a projection as operators see it. <see cref="EventsBehind"/> counts committed events after the
/// checkpoint; <see cref="SecondsBehind"/> is the age of the oldest of them (0 when none is left).
/// </summary>
public sealed record ProjectionStatus(
    string Name,
    int Generation,
    bool Live,
    string State,
    GlobalPosition Position,
    long EventsBehind,
    double SecondsBehind,
    string? Owner,
    bool Held,
    int Attempts,
    Guid? FailingEventId,
    string? LastError,
    DateTimeOffset UpdatedAt)
{
    /// <summary>Every generation that is live or being built, with whether a process holds it right now.</summary>
    public static async Task<IReadOnlyList<ProjectionStatus>> ReadAllAsync(NpgsqlDataSource db, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var schema = AppendNotifier.SchemaOf(db);
        var held = await HeldLeasesAsync(db, ct);
        await using var command = db.CreateCommand("""
            SELECT c.name, c.generation, c.generation = p.live_generation, c.status, c.seq,
                   c.owner, c.attempts, c.failing_event_id, c.last_error, c.updated_at,
                   (SELECT count(*) FROM ledger_chain e WHERE e.seq_id > c.seq),
                   extract(epoch FROM clock_timestamp() - (SELECT e.sealed_at FROM ledger_chain e
                     WHERE e.seq_id > c.seq ORDER BY e.seq_id LIMIT 1))::float8
              FROM projection_checkpoints c JOIN projections p ON p.name = c.name
             WHERE c.status <> 'retired'
             ORDER BY c.name, c.generation
            """);
        var statuses = new List<ProjectionStatus>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var name = reader.GetString(0);
            var live = reader.GetBoolean(2);
            var lease = live ? ProjectionLeases.Live(name) : ProjectionLeases.Rebuild(name);
            var isHeld = held.Contains(ProjectionLeases.Key(schema, lease));
            var status = reader.GetString(3);
            statuses.Add(new ProjectionStatus(
                name, reader.GetInt32(1), live, StateOf(status, live, isHeld),
                new GlobalPosition(reader.GetInt64(4)),
                reader.GetInt64(10), reader.IsDBNull(11) ? 0 : Math.Max(0, reader.GetDouble(11)),
                reader.IsDBNull(5) ? null : reader.GetString(5), isHeld, reader.GetInt32(6),
                reader.IsDBNull(7) ? null : reader.GetGuid(7), reader.IsDBNull(8) ? null : reader.GetString(8),
                reader.GetFieldValue<DateTimeOffset>(9)));
        }
        return statuses;
    }

    /// <summary>Live projections stopped on a failing event: while any is, the service's health is degraded.</summary>
    public static async Task<IReadOnlyList<(string Name, Guid? EventId)>> FailedAsync(NpgsqlDataSource db, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        await using var command = db.CreateCommand("""
            SELECT c.name, c.failing_event_id FROM projection_checkpoints c
              JOIN projections p ON p.name = c.name AND p.live_generation = c.generation
             WHERE c.status = 'failed' ORDER BY c.name
            """);
        var failed = new List<(string, Guid?)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) failed.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetGuid(1)));
        return failed;
    }

    private static string StateOf(string status, bool live, bool held) => (status, live, held) switch
    {
        (Checkpoint.Failed, _, _) => "failed",
        (_, true, true) => "running",
        (_, true, false) => "stopped (no process holds it)",
        (_, false, true) => "rebuilding",
        (_, false, false) => "rebuild interrupted (run rebuild again to resume)",
    };

    // Advisory locks taken with a bigint key show in pg_locks as classid (high half), objid (low half), objsubid 1.
    private static async Task<HashSet<long>> HeldLeasesAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var command = db.CreateCommand("""
            SELECT (classid::bigint << 32) | objid::bigint FROM pg_locks
             WHERE locktype = 'advisory' AND granted AND objsubid = 1
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """);
        var keys = new HashSet<long>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) keys.Add(reader.GetInt64(0));
        return keys;
    }
}

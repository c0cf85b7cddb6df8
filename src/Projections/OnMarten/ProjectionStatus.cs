using Ledger.EventStore;
using Ledger.EventStore.Leases;
using Npgsql;

namespace Ledger.Projections.OnMarten;

/// <summary>
/// One generation of a read model as operators see it: its state (Ledger's), its position (its shard's progress in
/// Marten's <c>mt_event_progression</c>), how many committed events lie after it and how old the oldest of them is
/// (0 when none is left).
/// </summary>
public sealed record ProjectionStatus(
    string Name,
    int Generation,
    bool Live,
    string State,
    GlobalPosition Position,
    long EventsBehind,
    double SecondsBehind,
    int Attempts,
    Guid? FailingEventId,
    string? LastError,
    DateTimeOffset UpdatedAt)
{
    /// <summary>Every generation that is live or being built.</summary>
    public static async Task<IReadOnlyList<ProjectionStatus>> ReadAllAsync(NpgsqlDataSource db, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var schema = Ledger.EventStore.Connections.LedgerDataSource.SchemaOf(db);
        var locks = await AdvisoryLocksAsync(db, ct);
        await using var command = db.CreateCommand("""
            SELECT g.name, g.generation, g.generation = p.live_generation, g.status, coalesce(m.last_seq_id, 0),
                   g.attempts, g.failing_event_id, g.last_error, greatest(g.updated_at, m.last_updated),
                   (SELECT count(*) FROM mt_events e WHERE e.seq_id > coalesce(m.last_seq_id, 0)),
                   extract(epoch FROM clock_timestamp() - (SELECT e.timestamp FROM mt_events e
                     WHERE e.seq_id > coalesce(m.last_seq_id, 0) ORDER BY e.seq_id LIMIT 1))::float8
              FROM projection_generations g
              JOIN projections p ON p.name = g.name
              LEFT JOIN mt_event_progression m ON m.name = CASE WHEN g.generation = p.live_generation
                   THEN g.name || ':All' ELSE g.name || ':V' || g.generation || ':All' END
             WHERE g.status <> 'retired'
             ORDER BY g.name, g.generation
            """);
        var statuses = new List<ProjectionStatus>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var name = reader.GetString(0);
            var live = reader.GetBoolean(2);
            statuses.Add(new ProjectionStatus(
                name, reader.GetInt32(1), live, StateOf(reader.GetString(3), live, locks.Contains(AdvisoryLease.KeyFor(schema, ProjectionRebuild.LeaseName(name)))),
                new GlobalPosition(reader.GetInt64(4)),
                reader.GetInt64(9), reader.IsDBNull(10) ? 0 : Math.Max(0, reader.GetDouble(10)),
                reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetGuid(6), reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.GetFieldValue<DateTimeOffset>(8)));
        }
        return statuses;
    }

    /// <summary>Live projections stopped on a failing event: while any is, the service's health is degraded.</summary>
    public static async Task<IReadOnlyList<(string Name, Guid? EventId)>> FailedAsync(NpgsqlDataSource db, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        await using var command = db.CreateCommand("""
            SELECT g.name, g.failing_event_id FROM projection_generations g
              JOIN projections p ON p.name = g.name AND p.live_generation = g.generation
             WHERE g.status = 'failed' ORDER BY g.name
            """);
        var failed = new List<(string, Guid?)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) failed.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetGuid(1)));
        return failed;
    }

    private static string StateOf(string status, bool live, bool rebuilding) => (status, live, rebuilding) switch
    {
        (ProjectionGeneration.Failed, _, _) => "failed",
        (_, true, _) => "running",
        (_, false, true) => "rebuilding",
        (_, false, false) => "rebuild interrupted (run rebuild again to resume)",
    };

    // The rebuild's lease is an advisory lock: taken with a bigint key, it shows in pg_locks as classid (high half),
    // objid (low half), objsubid 1.
    private static async Task<HashSet<long>> AdvisoryLocksAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var command = db.CreateCommand("""
            SELECT (classid::bigint << 32) | objid::bigint FROM pg_locks
             WHERE locktype = 'advisory' AND granted AND objsubid = 1
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """);
        var keys = new HashSet<long>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) keys.Add(reader.GetInt64(0));
        return keys;
    }
}

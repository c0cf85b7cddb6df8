using Ledger.EventStore;
using Npgsql;

namespace Ledger.Messaging.Relay;

/// <summary>Where each relay stands (table <c>relay_checkpoints</c>), and how far the store has run ahead of it.</summary>
public sealed class RelayCheckpoints(NpgsqlDataSource dataSource)
{
    /// <summary>The relay's position; a relay that never ran starts before the first event.</summary>
    public async Task<GlobalPosition> ReadAsync(string relay, CancellationToken ct)
    {
        // One statement: the insert returns the row when it creates it, the SELECT the row that already existed
        // (a statement does not see its own CTE's insert), so exactly one row comes back.
        await using var command = dataSource.CreateCommand("""
            WITH created AS (
                INSERT INTO relay_checkpoints (relay) VALUES ($1) ON CONFLICT (relay) DO NOTHING RETURNING seq)
            SELECT seq FROM created
            UNION ALL
            SELECT seq FROM relay_checkpoints WHERE relay = $1
            """);
        command.Parameters.Add(new() { Value = relay });
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        return new GlobalPosition(reader.GetInt64(0));
    }

    /// <summary>Moves the checkpoint forward, never back (a relay that lost its lease mid-batch may still write).</summary>
    public async Task AdvanceAsync(string relay, GlobalPosition to, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE relay_checkpoints SET seq = $2, updated_at = clock_timestamp()
             WHERE relay = $1 AND seq < $2
            """);
        command.Parameters.Add(new() { Value = relay });
        command.Parameters.Add(new() { Value = to.Seq });
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Events stored after <paramref name="after"/>, committed or not yet readable: the outbox backlog.</summary>
    public async Task<long> BacklogAsync(GlobalPosition after, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT count(*) FROM mt_events WHERE seq_id > $1");
        command.Parameters.Add(new() { Value = after.Seq });
        return (long)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    /// <summary>The relay's row as stored: position and when it last moved; null if it never ran.</summary>
    public async Task<(GlobalPosition Position, DateTimeOffset UpdatedAt)?> FindAsync(string relay, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT seq, updated_at FROM relay_checkpoints WHERE relay = $1");
        command.Parameters.Add(new() { Value = relay });
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false)) return null;
        return (new GlobalPosition(reader.GetInt64(0)), reader.GetFieldValue<DateTimeOffset>(1));
    }
}

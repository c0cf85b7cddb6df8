using Npgsql;

namespace Ledger.Messaging.Outbox;

/// <summary>
/// Where the outbox stands, from the database alone (any process can ask, the CLI included): the publishing shard's
/// position and the daemon's high-water mark in Marten's <c>mt_event_progression</c>. The shard passes a page only once
/// the broker confirmed all of it (it stores no envelope of its own), so what is not yet passed is the whole backlog.
/// </summary>
public sealed record OutboxState(long Position, long HighWater, DateTimeOffset? PositionUpdatedAt)
{
    /// <summary>The outbox backlog: stored events the shard has not passed yet (published or internal).</summary>
    public long Lag => Math.Max(0, HighWater - Position);
}

public static class OutboxInspection
{
    public static async Task<OutboxState> ReadAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        // The high-water mark row is the daemon's; before the daemon ever ran, the store's last sequence stands in.
        await using var command = dataSource.CreateCommand("""
            SELECT coalesce((SELECT last_seq_id FROM mt_event_progression WHERE name = $1), 0),
                   (SELECT last_updated FROM mt_event_progression WHERE name = $1),
                   greatest(coalesce((SELECT last_seq_id FROM mt_event_progression WHERE name = 'HighWaterMark'), 0),
                            coalesce((SELECT max(seq_id) FROM mt_events), 0))
            """);
        command.Parameters.Add(new() { Value = OutboxSubscription.ShardName });
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        return new OutboxState(reader.GetInt64(0), reader.GetInt64(2), reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1));
    }
}

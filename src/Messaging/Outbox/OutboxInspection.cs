using Npgsql;

namespace Ledger.Messaging.Outbox;

/// <summary>
/// Where the outbox stands, from the database alone (any process can ask, the CLI included): the publishing shard's
/// position and the daemon's high-water mark in Marten's <c>mt_event_progression</c>, and the envelopes waiting in
/// Wolverine's <c>wolverine_outgoing_envelopes</c> (stored by a page, not yet confirmed by the broker).
/// </summary>
public sealed record OutboxState(long Position, long HighWater, long OutgoingEnvelopes, DateTimeOffset? PositionUpdatedAt)
{
    /// <summary>Stored events the shard has not passed yet (published or internal), as the relay's backlog counted them.</summary>
    public long Lag => Math.Max(0, HighWater - Position);

    /// <summary>The outbox backlog: events not yet passed plus messages not yet confirmed.</summary>
    public long Backlog => Lag + OutgoingEnvelopes;
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
                            coalesce((SELECT max(seq_id) FROM mt_events), 0)),
                   (SELECT count(*) FROM wolverine_outgoing_envelopes)
            """);
        command.Parameters.Add(new() { Value = OutboxSubscription.ShardName });
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        return new OutboxState(reader.GetInt64(0), reader.GetInt64(2), reader.GetInt64(3),
            reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1));
    }
}

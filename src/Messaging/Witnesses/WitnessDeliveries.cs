using Ledger.EventStore.Checkpoints;
using Npgsql;

namespace Ledger.Messaging.Witnesses;

/// <summary>A stored checkpoint a witness has not accepted yet, with its note if one was made.</summary>
public sealed record PendingCheckpoint(SignedCheckpoint Signed, string? Note);

/// <summary>
/// What each witness has been handed (<c>checkpoint_witness_deliveries</c>, one row per checkpoint it accepted) and
/// what it still lacks: every stored checkpoint without such a row. The checkpoints table is the outbox, as the event
/// store is for integration events: nothing is queued in memory or in a broker between storing a checkpoint and
/// publishing it, so a crash in between, a witness down for a week or a witness configured only today all end the
/// same way, with every checkpoint delivered. (A Wolverine durable message enlisted with the checkpoint's insert would
/// need the signer's plain-SQL insert rewritten into a Wolverine transaction, and a message per witness that exhausts
/// its retries lands in a dead-letter table someone must replay; here a witness is simply behind until it answers.)
/// <para>
/// So that a round does not re-read the whole history, <c>checkpoint_witness_progress</c> keeps, per witness, a time
/// through which every checkpoint was delivered; a round reads checkpoints stored after it less
/// <see cref="CommitMargin"/>. A checkpoint row takes its <c>recorded_at</c> in a one-statement transaction, so it is
/// committed within moments of it; the margin covers a row whose commit lagged its timestamp.
/// </para>
/// </summary>
public sealed class WitnessDeliveries(NpgsqlDataSource dataSource)
{
    public static readonly TimeSpan CommitMargin = TimeSpan.FromMinutes(1);

    /// <summary>When the newest checkpoint was stored (null: none): read before a round, so a round that finished can move the witness's progress to it.</summary>
    public async Task<DateTimeOffset?> NewestRecordedAtAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT max(recorded_at) FROM checkpoints");
        return await command.ExecuteScalarAsync(ct) is DateTime at ? new DateTimeOffset(at, TimeSpan.Zero) : null;
    }

    /// <summary>Up to <paramref name="limit"/> checkpoints the witness lacks, in the order they were stored (per tenant: ascending positions).</summary>
    public async Task<IReadOnlyList<PendingCheckpoint>> PendingAsync(string witness, int limit, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT c.tenant_id, c.chain_seq, c.chain_hash, c.issued_at, c.kid, c.jws, n.note, c.tree_root
              FROM checkpoints c
              LEFT JOIN checkpoint_notes n ON n.tenant_id = c.tenant_id AND n.chain_seq = c.chain_seq
             WHERE c.recorded_at > coalesce((SELECT p.recorded_through FROM checkpoint_witness_progress p WHERE p.witness = $1), '-infinity') - $3
               AND NOT EXISTS (SELECT 1 FROM checkpoint_witness_deliveries d
                                WHERE d.witness = $1 AND d.tenant_id = c.tenant_id AND d.chain_seq = c.chain_seq)
             ORDER BY c.recorded_at, c.tenant_id, c.chain_seq
             LIMIT $2
            """);
        command.Parameters.Add(new() { Value = witness });
        command.Parameters.Add(new() { Value = limit });
        command.Parameters.Add(new() { Value = CommitMargin });
        var pending = new List<PendingCheckpoint>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            pending.Add(new PendingCheckpoint(
                new SignedCheckpoint(new Checkpoint(r.GetString(0), r.GetInt64(1), r.GetFieldValue<byte[]>(2), r.GetFieldValue<DateTimeOffset>(3),
                        r.IsDBNull(7) ? null : r.GetFieldValue<byte[]>(7)),
                    r.GetString(4), r.GetString(5)),
                r.IsDBNull(6) ? null : r.GetString(6)));
        return pending;
    }

    public async Task RecordAsync(string witness, SignedCheckpoint signed, string? receipt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(signed);
        await using var command = dataSource.CreateCommand("""
            INSERT INTO checkpoint_witness_deliveries (witness, tenant_id, chain_seq, receipt) VALUES ($1, $2, $3, $4)
            ON CONFLICT DO NOTHING
            """);
        command.Parameters.Add(new() { Value = witness });
        command.Parameters.Add(new() { Value = signed.Checkpoint.TenantId });
        command.Parameters.Add(new() { Value = signed.Checkpoint.ChainSeq });
        command.Parameters.Add(new() { Value = (object?)receipt ?? DBNull.Value });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Every checkpoint stored through <paramref name="through"/> was delivered to the witness.</summary>
    public async Task AdvanceAsync(string witness, DateTimeOffset through, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO checkpoint_witness_progress (witness, recorded_through) VALUES ($1, $2)
            ON CONFLICT (witness) DO UPDATE SET recorded_through = greatest(checkpoint_witness_progress.recorded_through, excluded.recorded_through)
            """);
        command.Parameters.Add(new() { Value = witness });
        command.Parameters.Add(new() { Value = through });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>What the witness answered for a checkpoint it accepted (null: not delivered, or nothing to keep).</summary>
    public async Task<(bool Delivered, string? Receipt)> DeliveryAsync(string witness, string tenantId, long chainSeq, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT receipt FROM checkpoint_witness_deliveries WHERE witness = $1 AND tenant_id = $2 AND chain_seq = $3");
        command.Parameters.Add(new() { Value = witness });
        command.Parameters.Add(new() { Value = tenantId });
        command.Parameters.Add(new() { Value = chainSeq });
        await using var r = await command.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? (true, r.IsDBNull(0) ? null : r.GetString(0)) : (false, null);
    }
}

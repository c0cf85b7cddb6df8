using Npgsql;
using NpgsqlTypes;

namespace Ledger.EventStore.Chain;

/// <summary>
/// Reads a tenant's chain from the store as <see cref="ChainEntry"/> values: each record rebuilt in its canonical
/// form from the stored columns (docs/ledger-format.md §3), next to the hashes stored with it. Read-only.
/// </summary>
public sealed class ChainEntryReader(NpgsqlDataSource dataSource)
{
    /// <summary>Up to <paramref name="limit"/> stored entries from position <paramref name="fromSeq"/> on, in position order.</summary>
    public async Task<IReadOnlyList<ChainEntry>> ReadAsync(string tenantId, long fromSeq, long? toSeq, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var command = dataSource.CreateCommand("""
            SELECT tenant_id, chain_seq, stream_id, stream_version, event_id, event_type, type_version,
                   occurred_at, data::text, metadata::text, entry_hash, chain_hash
              FROM events
             WHERE tenant_id = $1 AND chain_seq >= $2 AND ($3::bigint IS NULL OR chain_seq <= $3)
             ORDER BY chain_seq
             LIMIT $4
            """);
        command.Parameters.Add(new() { Value = tenantId });
        command.Parameters.Add(new() { Value = fromSeq });
        command.Parameters.Add(new() { Value = (object?)toSeq ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new() { Value = limit });
        var page = new List<ChainEntry>(Math.Min(limit, 10_000));
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var record = LedgerRecord.CanonicalBytes(r.GetString(0), r.GetString(2), r.GetInt64(3), r.GetGuid(4), r.GetString(5),
                r.GetInt32(6), r.GetFieldValue<DateTimeOffset>(7), RecordedEventReader.ParseJson(r.GetString(8)),
                RecordedEventReader.ParseJson(r.GetString(9)));
            page.Add(new ChainEntry(r.GetInt64(1), record, r.GetFieldValue<byte[]>(10), r.GetFieldValue<byte[]>(11)));
        }
        return page;
    }

    /// <summary>The stored chain hash at a position, or null when no entry is stored there.</summary>
    public async Task<byte[]?> ChainHashAtAsync(string tenantId, long seq, CancellationToken ct = default)
    {
        if (seq == 0) return LedgerRecord.GenesisHash;
        await using var command = dataSource.CreateCommand("SELECT chain_hash FROM events WHERE tenant_id = $1 AND chain_seq = $2");
        command.Parameters.Add(new() { Value = tenantId });
        command.Parameters.Add(new() { Value = seq });
        return (byte[]?)await command.ExecuteScalarAsync(ct);
    }

    /// <summary>The tenant's recorded head (<c>chain_heads</c>): position 0 and the genesis hash when it has no entries.</summary>
    public async Task<(long Seq, byte[] Hash)> HeadAsync(string tenantId, CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand("SELECT chain_seq, chain_hash FROM chain_heads WHERE tenant_id = $1");
        command.Parameters.Add(new() { Value = tenantId });
        await using var r = await command.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? (r.GetInt64(0), r.GetFieldValue<byte[]>(1)) : (0, LedgerRecord.GenesisHash);
    }
}

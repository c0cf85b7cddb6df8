using System.Buffers;
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
        var page = await ReadPageAsync(tenantId, fromSeq, toSeq, limit, ct);
        var entries = new List<ChainEntry>(page.Count);
        var record = new ArrayBufferWriter<byte>(2048);
        for (var i = 0; i < page.Count; i++)
        {
            record.ResetWrittenCount();
            page.WriteRecord(i, record);
            entries.Add(new ChainEntry(page.ChainSeq(i), record.WrittenSpan.ToArray(), page.EntryHash(i), page.ChainHash(i)));
        }
        return entries;
    }

    /// <summary>The same rows as <see cref="ReadAsync"/>, as stored: their records not yet rebuilt.</summary>
    internal async Task<StoredChainPage> ReadPageAsync(string tenantId, long fromSeq, long? toSeq, int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var command = dataSource.CreateCommand($"""
            SELECT {StoredChainPage.Columns}
              FROM ledger_events
             WHERE tenant_id = $1 AND chain_seq >= $2 AND ($3::bigint IS NULL OR chain_seq <= $3)
             ORDER BY chain_seq
             LIMIT $4
            """);
        command.Parameters.Add(new() { Value = tenantId });
        command.Parameters.Add(new() { Value = fromSeq });
        command.Parameters.Add(new() { Value = (object?)toSeq ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new() { Value = limit });
        var page = new StoredChainPage(tenantId, Math.Min(limit, 10_000));
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            page.Add(r);
        return page;
    }

    /// <summary>The stored chain hash at a position, or null when no entry is stored there.</summary>
    public async Task<byte[]?> ChainHashAtAsync(string tenantId, long seq, CancellationToken ct = default)
    {
        if (seq == 0) return LedgerRecord.GenesisHash;
        await using var command = dataSource.CreateCommand("SELECT chain_hash FROM ledger_events WHERE tenant_id = $1 AND chain_seq = $2");
        command.Parameters.Add(new() { Value = tenantId });
        command.Parameters.Add(new() { Value = seq });
        return (byte[]?)await command.ExecuteScalarAsync(ct);
    }

    /// <summary>The tenant's recorded head (<c>ledger_chain_heads</c>): position 0 and the genesis hash when it has no entries.</summary>
    public async Task<(long Seq, byte[] Hash)> HeadAsync(string tenantId, CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand("SELECT chain_seq, chain_hash FROM ledger_chain_heads WHERE tenant_id = $1");
        command.Parameters.Add(new() { Value = tenantId });
        await using var r = await command.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? (r.GetInt64(0), r.GetFieldValue<byte[]>(1)) : (0, LedgerRecord.GenesisHash);
    }

    /// <summary>Every tenant that has a chain, in order.</summary>
    public async Task<IReadOnlyList<string>> TenantsAsync(CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand("SELECT tenant_id FROM ledger_chain_heads ORDER BY tenant_id");
        var tenants = new List<string>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) tenants.Add(r.GetString(0));
        return tenants;
    }
}

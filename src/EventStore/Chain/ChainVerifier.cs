using System.Text.Json;
using Npgsql;

namespace Ledger.EventStore.Chain;

/// <summary>
/// Walks a tenant's hash chain in order and recomputes it from the stored records, as an outside auditor
/// would from an export: each entry hash from the canonical record, each link from the previous link.
/// It trusts nothing stored but the records, and stops at the first failure.
/// </summary>
public sealed class ChainVerifier(NpgsqlDataSource dataSource, int pageSize = 1000)
{
    public async Task<ChainVerification> VerifyAsync(string tenantId, long fromSeq = 1, long? toSeq = null, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fromSeq, 1);
        var previous = fromSeq == 1 ? LedgerRecord.GenesisHash : await StoredChainHash(tenantId, fromSeq - 1, ct);
        if (previous is null)
            return new(tenantId, fromSeq, fromSeq - 1, 0, [], new(fromSeq - 1, ChainFailureReason.Gap, $"entry {fromSeq - 1} before the range is missing"));

        var expected = fromSeq;
        long checkedCount = 0;
        while (toSeq is null || expected <= toSeq)
        {
            var page = await ReadPage(tenantId, expected, toSeq, ct);
            foreach (var entry in page)
            {
                var failure = Check(entry, expected, previous);
                if (failure is not null)
                    return new(tenantId, fromSeq, expected - 1, checkedCount, previous, failure);
                previous = entry.ChainHash;
                expected++;
                checkedCount++;
            }
            if (page.Count < pageSize) break;
        }

        var tail = await CheckTail(tenantId, expected - 1, toSeq, ct);
        return new(tenantId, fromSeq, expected - 1, checkedCount, previous, tail);
    }

    private static ChainFailure? Check(StoredEntry entry, long expectedSeq, byte[] previous)
    {
        if (entry.ChainSeq != expectedSeq)
            return new(expectedSeq, ChainFailureReason.Gap, $"expected entry {expectedSeq}, found {entry.ChainSeq}");
        var recomputed = LedgerRecord.EntryHash(entry.TenantId, entry.StreamId, entry.StreamVersion, entry.EventId,
            entry.EventType, entry.TypeVersion, entry.OccurredAt, entry.Data, entry.Metadata);
        if (!recomputed.AsSpan().SequenceEqual(entry.EntryHash))
            return new(expectedSeq, ChainFailureReason.HashMismatch,
                $"record hashes to {Convert.ToHexStringLower(recomputed)}, stored entry hash is {Convert.ToHexStringLower(entry.EntryHash)}");
        var link = LedgerRecord.Link(previous, entry.EntryHash);
        if (!link.AsSpan().SequenceEqual(entry.ChainHash))
            return new(expectedSeq, ChainFailureReason.BrokenLink,
                $"previous chain hash and entry hash link to {Convert.ToHexStringLower(link)}, stored chain hash is {Convert.ToHexStringLower(entry.ChainHash)}");
        return null;
    }

    // A deleted last entry leaves no gap to find; the head row still remembers how long the chain was.
    private async Task<ChainFailure?> CheckTail(string tenantId, long lastSeen, long? toSeq, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT chain_seq FROM chain_heads WHERE tenant_id = $1");
        command.Parameters.Add(new() { Value = tenantId });
        var head = (long?)await command.ExecuteScalarAsync(ct) ?? 0;
        var end = toSeq is null ? head : Math.Min(toSeq.Value, head);
        return lastSeen < end
            ? new(lastSeen + 1, ChainFailureReason.MissingTail, $"the chain head is at {head}, entries end at {lastSeen}")
            : null;
    }

    private async Task<byte[]?> StoredChainHash(string tenantId, long seq, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT chain_hash FROM events WHERE tenant_id = $1 AND chain_seq = $2");
        command.Parameters.Add(new() { Value = tenantId });
        command.Parameters.Add(new() { Value = seq });
        return (byte[]?)await command.ExecuteScalarAsync(ct);
    }

    private async Task<List<StoredEntry>> ReadPage(string tenantId, long fromSeq, long? toSeq, CancellationToken ct)
    {
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
        command.Parameters.Add(new() { Value = (object?)toSeq ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        command.Parameters.Add(new() { Value = pageSize });
        var page = new List<StoredEntry>(pageSize);
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            page.Add(new StoredEntry(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetInt64(3), r.GetGuid(4), r.GetString(5),
                r.GetInt32(6), r.GetFieldValue<DateTimeOffset>(7), RecordedEventReader.ParseJson(r.GetString(8)),
                RecordedEventReader.ParseJson(r.GetString(9)), r.GetFieldValue<byte[]>(10), r.GetFieldValue<byte[]>(11)));
        return page;
    }

    private sealed record StoredEntry(
        string TenantId, long ChainSeq, string StreamId, long StreamVersion, Guid EventId, string EventType, int TypeVersion,
        DateTimeOffset OccurredAt, JsonElement Data, JsonElement Metadata, byte[] EntryHash, byte[] ChainHash);
}

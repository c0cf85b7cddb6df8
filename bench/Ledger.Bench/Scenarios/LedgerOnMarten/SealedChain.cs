using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Ledger.EventStore.Chain;
using Npgsql;

namespace Ledger.Bench.Scenarios.LedgerOnMarten;

/// <summary>
/// The check after each side of scenario 10, on Ledger's own tables (src/EventStore/MartenStore/Schema/0020): every
/// <c>mt_events</c> row has exactly one <c>ledger_chain</c> row and every chain row an event; each tenant's positions
/// run 1, 2, 3… without a gap and follow Marten's <c>seq_id</c>; each entry hash recomputes from the event's record
/// (<c>ledger_records</c>, docs/ledger-format.md §2), each link from the one before, and the tenant's head row ends it.
/// </summary>
public static class SealedChain
{
    public sealed record Check(long Events, long Entries, long Unchained, long Orphans, long Duplicated, long Tenants, long Recomputed, string? Failure)
    {
        public bool Passed => Unchained == 0 && Orphans == 0 && Duplicated == 0 && Failure is null && Entries == Events && Recomputed == Entries;

        public override string ToString() =>
            $"{Events:N0} events, {Entries:N0} chain entries in {Tenants:N0} tenant chain(s), {Unchained} events without an entry, " +
            $"{Orphans} entries without an event, {Duplicated} duplicated, {Recomputed:N0} recomputed" +
            (Failure is null ? ", gapless, in seq_id order and matching" : $": FAILED at {Failure}");
    }

    public static async Task<Check> VerifyAsync(NpgsqlDataSource schema)
    {
        long events, entries, unchained, orphans, duplicated;
        await using (var counts = schema.CreateCommand("""
            SELECT (SELECT count(*) FROM mt_events),
                   (SELECT count(*) FROM ledger_chain),
                   (SELECT count(*) FROM mt_events e WHERE NOT EXISTS (SELECT 1 FROM ledger_chain c WHERE c.seq_id = e.seq_id)),
                   (SELECT count(*) FROM ledger_chain c WHERE NOT EXISTS (SELECT 1 FROM mt_events e WHERE e.seq_id = c.seq_id)),
                   (SELECT count(*) - count(DISTINCT seq_id) FROM ledger_chain)
            """))
        await using (var reader = await counts.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            (events, entries, unchained, orphans, duplicated) =
                (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
        }

        var heads = new Dictionary<string, (long Seq, byte[] Hash)>();
        await using (var command = schema.CreateCommand("SELECT tenant_id, chain_seq, chain_hash FROM ledger_chain_heads"))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) heads[reader.GetString(0)] = (reader.GetInt64(1), reader.GetFieldValue<byte[]>(2));

        long recomputed = 0, tenants = 0;
        string? failure = null, tenant = null;
        var previous = LedgerRecord.GenesisHash;
        long position = 0, lastSeq = 0;
        var record = new ArrayBufferWriter<byte>(2048);
        await using (var walk = schema.CreateCommand("""
            SELECT c.tenant_id, c.chain_seq, c.seq_id, c.entry_hash, c.chain_hash,
                   r.tenant_id, r.stream_id, r.stream_version, r.event_id, r.event_type, r.type_version, r.occurred_at, r.data::text, r.metadata::text
              FROM ledger_chain c JOIN ledger_records r ON r.seq = c.seq_id
             ORDER BY c.tenant_id, c.chain_seq
            """))
        await using (var reader = await walk.ExecuteReaderAsync())
        {
            while (failure is null && await reader.ReadAsync())
            {
                var t = reader.GetString(0);
                if (t != tenant)
                {
                    failure = EndOfChain(tenant, position, previous, heads);
                    if (failure is not null) break;
                    (tenant, previous, position, lastSeq) = (t, LedgerRecord.GenesisHash, 0, 0);
                    tenants++;
                }
                var (chainSeq, seq) = (reader.GetInt64(1), reader.GetInt64(2));
                var entryHash = reader.GetFieldValue<byte[]>(3);
                var chainHash = reader.GetFieldValue<byte[]>(4);
                record.ResetWrittenCount();
                LedgerRecord.WriteCanonical(record, reader.GetString(5), reader.GetString(6), reader.GetInt64(7), reader.GetGuid(8),
                    reader.GetString(9), reader.GetInt32(10), reader.GetFieldValue<DateTimeOffset>(11),
                    Encoding.UTF8.GetBytes(reader.GetString(12)), Encoding.UTF8.GetBytes(reader.GetString(13)));
                if (chainSeq != position + 1) failure = $"{t} #{chainSeq}: gap after #{position}";
                else if (reader.GetString(5) != t) failure = $"{t} #{chainSeq}: its event is in tenant {reader.GetString(5)}";
                else if (seq <= lastSeq) failure = $"{t} #{chainSeq}: seq_id {seq} after {lastSeq}";
                else if (!SHA256.HashData(record.WrittenSpan).AsSpan().SequenceEqual(entryHash)) failure = $"{t} #{chainSeq}: entry hash mismatch";
                else if (!LedgerRecord.Link(previous, entryHash).AsSpan().SequenceEqual(chainHash)) failure = $"{t} #{chainSeq}: broken link";
                (previous, position, lastSeq) = (chainHash, chainSeq, seq);
                recomputed++;
            }
        }
        failure ??= EndOfChain(tenant, position, previous, heads);
        if (failure is null && heads.Count != tenants) failure = $"{heads.Count} head rows for {tenants} chains";
        return new Check(events, entries, unchained, orphans, duplicated, tenants, recomputed, failure);
    }

    private static string? EndOfChain(string? tenant, long position, byte[] last, Dictionary<string, (long Seq, byte[] Hash)> heads) =>
        tenant is null ? null
        : !heads.TryGetValue(tenant, out var head) ? $"{tenant}: no head row"
        : head.Seq != position || !head.Hash.AsSpan().SequenceEqual(last) ? $"{tenant}: chain ends at #{position}, head says #{head.Seq}"
        : null;
}

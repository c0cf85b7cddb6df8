using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Ledger.Bench.Infrastructure;
using Ledger.EventStore.Chain;
using Npgsql;

namespace Ledger.Bench.Scenarios.ChainDesigns;

/// <summary>
/// The chain tables both prototypes of issue 13 write next to Marten's own (in the Marten schema), the record they
/// hash, and the check that runs after each side. An entry keys on its tenant and position and names its event by
/// Marten's event id (unique: an event enters the chain once); <c>occurred_at</c> is kept in the chain row because
/// Quick append stamps <c>mt_events.timestamp</c> on the server, after the hash of design (a) is taken.
/// </summary>
public static class ChainTables
{
    public const string Ddl = """
        CREATE TABLE ledger_chain (
            tenant_id      text        NOT NULL,
            chain_seq      bigint      NOT NULL,
            event_id       uuid        NOT NULL UNIQUE,
            stream_id      text        NOT NULL,
            stream_version bigint      NOT NULL,
            occurred_at    timestamptz NOT NULL,
            seq_id         bigint,
            entry_hash     bytea       NOT NULL,
            chain_hash     bytea       NOT NULL,
            PRIMARY KEY (tenant_id, chain_seq)
        );
        CREATE TABLE ledger_chain_heads (
            tenant_id  text   PRIMARY KEY,
            chain_seq  bigint NOT NULL,
            chain_hash bytea  NOT NULL
        );
        CREATE TABLE ledger_seal_progress (
            id            int    PRIMARY KEY CHECK (id = 1),
            sealed_through bigint NOT NULL
        );
        INSERT INTO ledger_seal_progress VALUES (1, 0);
        """;

    public const int EventVersion = 1;

    /// <summary>The record's metadata: the bench's fixed metadata (the prototypes leave Marten's metadata columns off, as the baseline does).</summary>
    private static readonly byte[] MetadataJson = Encoding.UTF8.GetBytes(LedgerRecord.MetadataJson(Payloads.Metadata).GetRawText());

    public static async Task CreateAsync(NpgsqlDataSource marten)
    {
        await using var command = marten.CreateCommand(Ddl);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>SHA-256 of the RFC 8785 record of docs/ledger-format.md §2, built from a Marten event (data as its JSON text).</summary>
    public static byte[] EntryHash(string tenantId, string streamId, long version, Guid eventId, string eventType,
        DateTimeOffset occurredAt, ReadOnlySpan<byte> dataJson)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        LedgerRecord.WriteCanonical(buffer, tenantId, streamId, version, eventId, eventType, EventVersion, occurredAt, dataJson, MetadataJson);
        return SHA256.HashData(buffer.WrittenSpan);
    }

    /// <summary>What the check after a side found: events without an entry, duplicated entries, and the first broken entry.</summary>
    public sealed record Check(long Events, long Entries, long Unchained, long Duplicated, long Recomputed, string? Failure)
    {
        public bool Passed => Unchained == 0 && Duplicated == 0 && Failure is null && Entries == Events && Recomputed == Entries;

        public override string ToString() =>
            $"{Events:N0} events, {Entries:N0} chain entries, {Unchained} without an entry, {Duplicated} duplicated, " +
            $"{Recomputed:N0} recomputed" + (Failure is null ? " and matching" : $": FAILED at {Failure}");
    }

    /// <summary>
    /// Every event in <c>mt_events</c> has exactly one entry, and every tenant's chain recomputes from Marten's columns:
    /// gapless positions from 1, each entry hash from the record, each link from the previous one, the head at the end.
    /// </summary>
    public static async Task<Check> VerifyAsync(NpgsqlDataSource marten)
    {
        long events, entries, unchained, duplicated;
        await using (var counts = marten.CreateCommand("""
            SELECT (SELECT count(*) FROM mt_events),
                   (SELECT count(*) FROM ledger_chain),
                   (SELECT count(*) FROM mt_events e WHERE NOT EXISTS (SELECT 1 FROM ledger_chain c WHERE c.event_id = e.id)),
                   (SELECT count(*) - count(DISTINCT event_id) FROM ledger_chain)
            """))
        await using (var reader = await counts.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            (events, entries, unchained, duplicated) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        }

        var heads = new Dictionary<string, (long Seq, byte[] Hash)>();
        await using (var command = marten.CreateCommand("SELECT tenant_id, chain_seq, chain_hash FROM ledger_chain_heads"))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) heads[reader.GetString(0)] = (reader.GetInt64(1), (byte[])reader[2]);

        long recomputed = 0;
        string? failure = null;
        string? tenant = null;
        var previous = LedgerRecord.GenesisHash;
        long position = 0;
        await using (var walk = marten.CreateCommand("""
            SELECT c.tenant_id, c.chain_seq, e.stream_id, e.version, e.id, e.type, c.occurred_at, e.data::text, c.entry_hash, c.chain_hash,
                   c.stream_id = e.stream_id AND c.stream_version = e.version AND e.tenant_id = c.tenant_id
              FROM ledger_chain c JOIN mt_events e ON e.id = c.event_id
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
                    (tenant, previous, position) = (t, LedgerRecord.GenesisHash, 0);
                    if (failure is not null) break;
                }
                var seq = reader.GetInt64(1);
                var entryHash = (byte[])reader[8];
                var chainHash = (byte[])reader[9];
                var expectedEntry = EntryHash(t, reader.GetString(2), reader.GetInt64(3), reader.GetGuid(4), reader.GetString(5),
                    reader.GetFieldValue<DateTimeOffset>(6), Encoding.UTF8.GetBytes(reader.GetString(7)));
                if (seq != position + 1) failure = $"{t} #{seq}: gap after #{position}";
                else if (!reader.GetBoolean(10)) failure = $"{t} #{seq}: names another stream, version or tenant than its event";
                else if (!expectedEntry.AsSpan().SequenceEqual(entryHash)) failure = $"{t} #{seq}: entry hash mismatch";
                else if (!LedgerRecord.Link(previous, entryHash).AsSpan().SequenceEqual(chainHash)) failure = $"{t} #{seq}: broken link";
                (previous, position) = (chainHash, seq);
                recomputed++;
            }
        }
        failure ??= EndOfChain(tenant, position, previous, heads);
        return new Check(events, entries, unchained, duplicated, recomputed, failure);
    }

    /// <summary>Design (b) only: how many entries sit after an entry with a later <c>seq_id</c> in their tenant's chain (Marten's order kept: 0).</summary>
    public static async Task<long> OutOfSequenceAsync(NpgsqlDataSource marten)
    {
        await using var command = marten.CreateCommand("""
            SELECT count(*) FROM (SELECT seq_id, lag(seq_id) OVER (PARTITION BY tenant_id ORDER BY chain_seq) AS previous FROM ledger_chain) c
             WHERE c.previous > c.seq_id
            """);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static string? EndOfChain(string? tenant, long position, byte[] last, Dictionary<string, (long Seq, byte[] Hash)> heads) =>
        tenant is null ? null
        : !heads.TryGetValue(tenant, out var head) ? $"{tenant}: no head row"
        : head.Seq != position || !head.Hash.AsSpan().SequenceEqual(last) ? $"{tenant}: chain ends at #{position}, head says #{head.Seq}"
        : null;
}

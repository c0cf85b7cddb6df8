using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Ledger.EventStore.Chain;
using Marten;
using Marten.Services;
using Marten.Subscriptions;
using Npgsql;

namespace Ledger.EventStore.MartenStore;

/// <summary>
/// Enters every event Marten stores into its tenant's hash chain, after it committed: a subscription on Marten's async
/// daemon (design (b) of docs/ledger-format.md §5), so appends run at Marten's speed and one leader (the daemon's
/// HotCold election) sequences the chains, as a Certificate Transparency log sequences entries within its merge delay.
/// <para>
/// The daemon hands over pages in <c>seq_id</c> order, each up to its high-water mark: every event at or below it has
/// committed, or never will (Marten waits out a transaction that could still fill a gap before it passes one). The
/// chain rows and heads of a page are queued on the page's operations, so they commit in one transaction with the
/// subscription's progress: a crash leaves a page wholly sealed or not at all, and the next leader carries on from
/// there. The record each entry hashes is read from <c>ledger_records</c> as stored (not Marten's deserialized event),
/// so what is hashed is exactly what verifiers read back; an event sealed already (a rewound subscription) is left as it is.
/// </para>
/// </summary>
public sealed class ChainSealer : SubscriptionBase
{
    /// <summary>The subscription's name in <c>mt_event_progression</c>, whose progress is the ledger's <c>sealed_through</c>.</summary>
    public const string SubscriptionName = "LedgerChain";

    private readonly NpgsqlDataSource _reads;
    private readonly Action<long>? _sealed;

    /// <param name="reads">the store's data source, to read the records and heads of each page.</param>
    /// <param name="sealedThrough">told the page's ceiling after each page committed (wakes readers of the ledger).</param>
    public ChainSealer(NpgsqlDataSource reads, Action<long>? sealedThrough = null)
    {
        _reads = reads;
        _sealed = sealedThrough;
        Name = SubscriptionName;
        Options.BatchSize = 1000;
    }

    public override async Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller,
        IDocumentOperations operations, CancellationToken cancellationToken)
    {
        var batch = await SealBatch.ReadAsync(_reads, page.SequenceFloor, page.SequenceCeiling, cancellationToken);
        if (batch.Count > 0)
        {
            operations.QueueSqlCommand("""
                INSERT INTO ledger_chain (tenant_id, chain_seq, seq_id, entry_hash, chain_hash)
                SELECT * FROM unnest(?::text[], ?::bigint[], ?::bigint[], ?::bytea[], ?::bytea[])
                """, batch.Tenants, batch.Positions, batch.Sequences, batch.EntryHashes, batch.ChainHashes);
            operations.QueueSqlCommand("""
                INSERT INTO ledger_chain_heads (tenant_id, chain_seq, chain_hash)
                SELECT * FROM unnest(?::text[], ?::bigint[], ?::bytea[])
                ON CONFLICT (tenant_id) DO UPDATE
                   SET chain_seq = excluded.chain_seq, chain_hash = excluded.chain_hash, updated_at = clock_timestamp()
                """, batch.HeadTenants, batch.HeadPositions, batch.HeadHashes);
        }
        return new AfterCommit(_sealed, page.SequenceCeiling, batch.EventTimes);
    }

    private sealed class AfterCommit(Action<long>? sealedThrough, long ceiling, IReadOnlyList<DateTimeOffset> eventTimes) : IChangeListener
    {
        public Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
        {
            Telemetry.LedgerTelemetry.Sealed(ceiling, eventTimes, DateTimeOffset.UtcNow);
            sealedThrough?.Invoke(ceiling);
            return Task.CompletedTask;
        }

        public Task BeforeCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token) => Task.CompletedTask;
    }
}

/// <summary>The chain entries of one page, computed from the stored records and the heads before it.</summary>
internal sealed class SealBatch
{
    private readonly List<string> tenants = [];
    private readonly List<long> positions = [];
    private readonly List<long> sequences = [];
    private readonly List<byte[]> entryHashes = [];
    private readonly List<byte[]> chainHashes = [];
    private readonly List<DateTimeOffset> eventTimes = [];
    private readonly Dictionary<string, (long Seq, byte[] Hash)> heads = [];

    public int Count => sequences.Count;
    public IReadOnlyList<DateTimeOffset> EventTimes => eventTimes;
    public string[] Tenants => [.. tenants];
    public long[] Positions => [.. positions];
    public long[] Sequences => [.. sequences];
    public byte[][] EntryHashes => [.. entryHashes];
    public byte[][] ChainHashes => [.. chainHashes];
    public string[] HeadTenants => [.. heads.Keys];
    public long[] HeadPositions => [.. heads.Values.Select(h => h.Seq)];
    public byte[][] HeadHashes => [.. heads.Values.Select(h => h.Hash)];

    public static async Task<SealBatch> ReadAsync(NpgsqlDataSource reads, long floor, long ceiling, CancellationToken ct)
    {
        var batch = new SealBatch();
        await using var connection = await reads.OpenConnectionAsync(ct);
        await using (var command = new NpgsqlCommand("""
            SELECT h.tenant_id, h.chain_seq, h.chain_hash FROM ledger_chain_heads h
             WHERE h.tenant_id IN (SELECT DISTINCT tenant_id FROM ledger_records WHERE seq > $1 AND seq <= $2)
            """, connection))
        {
            command.Parameters.Add(new() { Value = floor });
            command.Parameters.Add(new() { Value = ceiling });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) batch.heads[reader.GetString(0)] = (reader.GetInt64(1), reader.GetFieldValue<byte[]>(2));
        }
        await using (var command = new NpgsqlCommand("""
            SELECT r.seq, r.tenant_id, r.stream_id, r.stream_version, r.event_id, r.event_type, r.type_version, r.occurred_at,
                   r.data::text, r.metadata::text
              FROM ledger_records r
             WHERE r.seq > $1 AND r.seq <= $2 AND NOT EXISTS (SELECT 1 FROM ledger_chain c WHERE c.seq_id = r.seq)
             ORDER BY r.seq
            """, connection))
        {
            command.Parameters.Add(new() { Value = floor });
            command.Parameters.Add(new() { Value = ceiling });
            await using var reader = await command.ExecuteReaderAsync(ct);
            var record = new ArrayBufferWriter<byte>(2048);
            while (await reader.ReadAsync(ct))
            {
                record.ResetWrittenCount();
                var tenant = reader.GetString(1);
                var occurredAt = reader.GetFieldValue<DateTimeOffset>(7);
                batch.eventTimes.Add(occurredAt);
                LedgerRecord.WriteCanonical(record, tenant, reader.GetString(2), reader.GetInt64(3), reader.GetGuid(4),
                    reader.GetString(5), reader.GetInt32(6), occurredAt,
                    Encoding.UTF8.GetBytes(reader.GetString(8)), Encoding.UTF8.GetBytes(reader.GetString(9)));
                batch.Add(reader.GetInt64(0), tenant, SHA256.HashData(record.WrittenSpan));
            }
        }
        return batch;
    }

    private void Add(long seq, string tenant, byte[] entryHash)
    {
        var head = heads.GetValueOrDefault(tenant, (0, LedgerRecord.GenesisHash));
        head = (head.Seq + 1, LedgerRecord.Link(head.Hash, entryHash));
        heads[tenant] = head;
        tenants.Add(tenant);
        positions.Add(head.Seq);
        sequences.Add(seq);
        entryHashes.Add(entryHash);
        chainHashes.Add(head.Hash);
    }
}

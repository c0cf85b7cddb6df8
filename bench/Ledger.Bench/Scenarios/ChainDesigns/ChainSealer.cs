using System.Diagnostics;
using System.Text;
using Ledger.EventStore.Chain;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Bench.Scenarios.ChainDesigns;

/// <summary>
/// Design (b) of issue 13: appends are plain Marten Quick appends; this one sealer follows Marten's global sequence
/// (<c>mt_events.seq_id</c>) and enters each event into its tenant's chain after it committed, a batch per transaction
/// (chain rows, heads and its progress together).
/// <para>
/// It never skips an event that commits late. Marten hands out <c>seq_id</c> from a sequence inside the appending
/// transaction, so seq 101 can be visible while seq 100 is still uncommitted (or will never be: rolled back). The
/// sealer reads the sequence's last value L, then notes the time t0, then waits until no appending transaction that
/// started before t0 is still open (<c>pg_stat_activity.xact_start</c> of the appenders' connections, told apart by
/// their application name). Every transaction that drew a value ≤ L started before L was read, so by then each value
/// ≤ L is committed or gone for good, and the range (sealed, L] can be read and sealed in seq order once and for all.
/// Marten's own high-water mark (the async daemon's) was not used: it decides that a gap is permanent from how long it
/// stayed open and what the transaction evidence says, a heuristic with a stale-sequence timeout; the horizon here needs
/// no timeout and does not depend on the daemon running. Its price: one long transaction among the appenders holds
/// sealing back for as long as it stays open (the lag then shows it).
/// </para>
/// </summary>
public sealed class ChainSealer(NpgsqlDataSource marten, string appendersApplicationName, int batchSize = 1000)
{
    private readonly Dictionary<string, (long Seq, byte[] Hash)> heads = [];
    private long sealedThrough;

    /// <summary>Called after each batch committed, with the last seq_id it covers (every event up to it is sealed).</summary>
    public event Action<long>? Sealed;

    public long SealedThrough => Volatile.Read(ref sealedThrough);

    /// <summary>Seals whatever is there; returns how many events it entered.</summary>
    public async Task<long> SealAvailableAsync(CancellationToken cancellation = default)
    {
        var (last, t0) = await SequenceHorizonAsync(cancellation);
        if (last <= sealedThrough) return 0;
        await WaitForOlderAppendsAsync(t0, cancellation);
        long sealedNow = 0;
        while (sealedThrough < last) sealedNow += await SealBatchAsync(last, cancellation);
        return sealedNow;
    }

    /// <summary>
    /// Seals until cancelled, looking again every <paramref name="idle"/> when there was nothing to seal. Cancelling
    /// stops it between batches, never inside one.
    /// </summary>
    public async Task RunAsync(TimeSpan idle, CancellationToken cancellation)
    {
        try
        {
            while (!cancellation.IsCancellationRequested)
                if (await SealAvailableAsync(CancellationToken.None) == 0) await Task.Delay(idle, cancellation);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
        }
    }

    /// <summary>The sequence's last value, then (read after it, in the same statement) the server's clock.</summary>
    private async Task<(long Last, DateTime T0)> SequenceHorizonAsync(CancellationToken cancellation)
    {
        await using var command = marten.CreateCommand("""
            WITH s AS MATERIALIZED (SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS last FROM mt_events_sequence)
            SELECT s.last, clock_timestamp() FROM s
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        await reader.ReadAsync(cancellation);
        return (reader.GetInt64(0), reader.GetDateTime(1));
    }

    private async Task WaitForOlderAppendsAsync(DateTime t0, CancellationToken cancellation)
    {
        await using var command = marten.CreateCommand(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND xact_start < $2)");
        command.Parameters.Add(new() { Value = appendersApplicationName });
        command.Parameters.Add(new() { Value = t0, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        while ((bool)(await command.ExecuteScalarAsync(cancellation))!) await Task.Delay(1, cancellation);
    }

    private async Task<long> SealBatchAsync(long last, CancellationToken cancellation)
    {
        var tenants = new List<string>();
        var positions = new List<long>();
        var ids = new List<Guid>();
        var streams = new List<string>();
        var versions = new List<long>();
        var times = new List<DateTimeOffset>();
        var seqs = new List<long>();
        var entryHashes = new List<byte[]>();
        var chainHashes = new List<byte[]>();
        // The heads this batch moves, applied to the sealer's own only once the batch committed.
        var moved = new Dictionary<string, (long Seq, byte[] Hash)>();
        await using var connection = await marten.OpenConnectionAsync(cancellation);
        await using (var read = new NpgsqlCommand("""
            SELECT seq_id, id, tenant_id, stream_id, version, type, timestamp, data::text FROM mt_events
             WHERE seq_id > $1 AND seq_id <= $2 ORDER BY seq_id LIMIT $3
            """, connection))
        {
            read.Parameters.Add(new() { Value = sealedThrough });
            read.Parameters.Add(new() { Value = last });
            read.Parameters.Add(new() { Value = batchSize });
            await using var reader = await read.ExecuteReaderAsync(cancellation);
            while (await reader.ReadAsync(cancellation))
            {
                var tenant = reader.GetString(2);
                var stream = reader.GetString(3);
                var version = reader.GetInt64(4);
                var occurredAt = reader.GetFieldValue<DateTimeOffset>(6);
                var entry = ChainTables.EntryHash(tenant, stream, version, reader.GetGuid(1), reader.GetString(5), occurredAt,
                    Encoding.UTF8.GetBytes(reader.GetString(7)));
                var head = moved.TryGetValue(tenant, out var m) ? m : heads.GetValueOrDefault(tenant, (0, LedgerRecord.GenesisHash));
                head = (head.Seq + 1, LedgerRecord.Link(head.Hash, entry));
                moved[tenant] = head;
                tenants.Add(tenant);
                positions.Add(head.Seq);
                ids.Add(reader.GetGuid(1));
                streams.Add(stream);
                versions.Add(version);
                times.Add(occurredAt);
                seqs.Add(reader.GetInt64(0));
                entryHashes.Add(entry);
                chainHashes.Add(head.Hash);
            }
        }
        // A short batch reached the horizon: everything up to it is sealed, including values nobody committed.
        var through = seqs.Count == batchSize ? seqs[^1] : last;
        var touched = moved.Keys.ToArray();
        await using (var transaction = await connection.BeginTransactionAsync(cancellation))
        {
            await using var batch = new NpgsqlBatch(connection, transaction)
            {
                BatchCommands =
                {
                    new("""
                        INSERT INTO ledger_chain (tenant_id, chain_seq, event_id, stream_id, stream_version, occurred_at, seq_id, entry_hash, chain_hash)
                        SELECT * FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::bigint[], $6::timestamptz[], $7::bigint[], $8::bytea[], $9::bytea[])
                        """)
                    {
                        Parameters =
                        {
                            new() { Value = tenants.ToArray() }, new() { Value = positions.ToArray() }, new() { Value = ids.ToArray() },
                            new() { Value = streams.ToArray() }, new() { Value = versions.ToArray() }, new() { Value = times.ToArray() },
                            new() { Value = seqs.ToArray() }, new() { Value = entryHashes.ToArray() }, new() { Value = chainHashes.ToArray() },
                        },
                    },
                    new("""
                        INSERT INTO ledger_chain_heads (tenant_id, chain_seq, chain_hash) SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[])
                        ON CONFLICT (tenant_id) DO UPDATE SET chain_seq = excluded.chain_seq, chain_hash = excluded.chain_hash
                        """)
                    {
                        Parameters =
                        {
                            new() { Value = touched }, new() { Value = touched.Select(t => moved[t].Seq).ToArray() },
                            new() { Value = touched.Select(t => moved[t].Hash).ToArray() },
                        },
                    },
                    new("UPDATE ledger_seal_progress SET sealed_through = $1 WHERE id = 1") { Parameters = { new() { Value = through } } },
                },
            };
            await batch.ExecuteNonQueryAsync(cancellation);
            await transaction.CommitAsync(cancellation);
        }
        foreach (var (tenant, head) in moved) heads[tenant] = head;
        Volatile.Write(ref sealedThrough, through);
        Sealed?.Invoke(through);
        return seqs.Count;
    }
}

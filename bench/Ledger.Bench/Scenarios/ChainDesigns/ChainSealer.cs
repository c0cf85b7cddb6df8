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
/// It never skips an event that commits late. Marten draws <c>seq_id</c> from a sequence inside the appending
/// transaction, so seq 101 can be visible while seq 100 is still uncommitted, or will never be (rolled back). The only
/// hazard is a gap, so the sealer seals the gap-free run of visible events after its last position at once, and stops
/// at the first gap. To pass a gap it proves it permanent: it reads the sequence's last value L, then the server's clock
/// t0, and waits (without blocking, a look per turn) until no appending transaction that started before t0 is still
/// open (<c>pg_stat_activity.xact_start</c> of the appenders' connections, told apart by their application name). Every
/// transaction that drew a value ≤ L started before L was read, so from then on each value ≤ L is committed or gone for
/// good, and gaps up to L are passed. A gap that a late commit fills is sealed the moment it becomes visible.
/// </para>
/// <para>
/// Marten's own high-water mark (the async daemon's) was not used: it decides that a gap is permanent from how long it
/// stayed open and the transaction evidence it finds, with a stale-sequence timeout; the proof here needs no timeout
/// and no daemon. Its price: one long transaction among the appenders holds sealing back past any gap for as long as
/// it stays open (the lag then shows it), and the appenders must be recognisable in <c>pg_stat_activity</c>.
/// </para>
/// </summary>
public sealed class ChainSealer(NpgsqlDataSource marten, string appendersApplicationName, int batchSize = 1000)
{
    private readonly Dictionary<string, (long Seq, byte[] Hash)> heads = [];
    private long sealedThrough;
    // Every sequence value up to here is committed or gone for good (proven by a horizon).
    private long settledThrough;
    private (long Last, DateTime T0)? horizon;

    /// <summary>Called after each batch committed, with the last seq_id it covers (every event up to it is sealed).</summary>
    public event Action<long>? Sealed;

    public long SealedThrough => Volatile.Read(ref sealedThrough);

    /// <summary>Seals until everything the sequence had handed out when it was called is sealed; returns how many events it entered.</summary>
    public async Task<long> SealAvailableAsync(CancellationToken cancellation = default)
    {
        var (last, _) = await SequenceHorizonAsync(cancellation);
        long sealedNow = 0;
        while (sealedThrough < last)
        {
            var entered = await SealStepAsync(cancellation);
            sealedNow += entered;
            if (entered > 0) continue;
            // Nothing visible past the gap (values at the end that were rolled back, or are still in flight): prove it.
            horizon ??= await SequenceHorizonAsync(cancellation);
            await Task.Delay(1, cancellation);
        }
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
                if (await SealStepAsync(CancellationToken.None) == 0) await Task.Delay(idle, cancellation);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
        }
    }

    /// <summary>One batch: the gap-free run of visible events, and past gaps a horizon has proven permanent.</summary>
    private async Task<long> SealStepAsync(CancellationToken cancellation)
    {
        if (horizon is { } pending && !await OlderAppendsOpenAsync(pending.T0, cancellation))
        {
            settledThrough = Math.Max(settledThrough, pending.Last);
            horizon = null;
        }
        var (entered, blocked) = await SealBatchAsync(cancellation);
        // A gap held the batch up: start proving it permanent (a late commit may fill it first, which is as good).
        if (blocked && horizon is null) horizon = await SequenceHorizonAsync(cancellation);
        return entered;
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

    private async Task<bool> OlderAppendsOpenAsync(DateTime t0, CancellationToken cancellation)
    {
        await using var command = marten.CreateCommand(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND xact_start < $2)");
        command.Parameters.Add(new() { Value = appendersApplicationName });
        command.Parameters.Add(new() { Value = t0, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        return (bool)(await command.ExecuteScalarAsync(cancellation))!;
    }

    private async Task<(long Entered, bool Blocked)> SealBatchAsync(CancellationToken cancellation)
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
        var next = sealedThrough;
        var blocked = false;
        await using var connection = await marten.OpenConnectionAsync(cancellation);
        await using (var read = new NpgsqlCommand("""
            SELECT seq_id, id, tenant_id, stream_id, version, type, timestamp, data::text FROM mt_events
             WHERE seq_id > $1 ORDER BY seq_id LIMIT $2
            """, connection))
        {
            read.Parameters.Add(new() { Value = sealedThrough });
            read.Parameters.Add(new() { Value = batchSize });
            await using var reader = await read.ExecuteReaderAsync(cancellation);
            while (await reader.ReadAsync(cancellation))
            {
                var seq = reader.GetInt64(0);
                // The next value, or a later one past gaps proven permanent; at any other gap the run ends here.
                if (seq != next + 1 && seq > settledThrough)
                {
                    blocked = true;
                    break;
                }
                next = seq;
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
                seqs.Add(seq);
                entryHashes.Add(entry);
                chainHashes.Add(head.Hash);
            }
        }
        // Unless the batch was cut short by its size, the values up to the proven horizon that hold no event are passed too.
        var through = seqs.Count == batchSize ? next : Math.Max(next, settledThrough);
        if (through == sealedThrough) return (0, blocked);
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
        return (seqs.Count, blocked);
    }
}

using Npgsql;

namespace Ledger.EventStore;

/// <summary>
/// Writes concurrent appends of one tenant together. The first append of an idle tenant is written at once, alone,
/// exactly as without grouping; appends of that tenant arriving while a write is in flight queue up, and when it
/// finishes they are written as one group: one call of <c>append_events_grouped</c>, one transaction, one lock of
/// the chain head. No timer and no waiting for company: a group is whatever queued during the previous write.
/// </summary>
/// <remarks>
/// What each caller keeps: its own expected-version check and its own <see cref="ConcurrencyException"/> (the
/// function skips a refused append and reports it on its row), all of its events or none, and its own result.
/// What callers of one group share: the transaction. If the group fails for any other reason (a duplicate event id,
/// a constraint), nothing of it was written and each append is written again alone, so the error lands on the
/// append that caused it only. If the connection fails, every append of the group gets that error: as with a single
/// append, whether it committed is unknown. Entries are hashed by the callers, before they queue.
/// </remarks>
internal sealed class TenantAppendCombiner(NpgsqlDataSource dataSource, PostgresEventStoreOptions options)
{
    private const string GroupedCall =
        "SELECT append_no, last_seq, last_tx_id, last_chain_seq, conflict_stream, actual_version " +
        "FROM append_events_grouped($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";

    private readonly Lock gate = new();

    // A tenant is in here while a write of its appends is in flight; its queue holds the appends waiting for the next one.
    private readonly Dictionary<string, Queue<PendingAppend>> busy = new(StringComparer.Ordinal);

    public Task<AppendResult> AppendAsync(string tenantId, IReadOnlyList<StreamAppend> streams, AppendBatch batch, CancellationToken ct)
    {
        var pending = new PendingAppend(streams, batch, ct);
        lock (gate)
        {
            if (busy.TryGetValue(tenantId, out var queue))
            {
                queue.Enqueue(pending);
                return pending.Outcome.Task;
            }
            busy[tenantId] = new Queue<PendingAppend>();
        }
        return LeadAsync(tenantId, pending);
    }

    // The caller that found its tenant idle writes its own append right away; what queued meanwhile is written by a
    // background drain, so this caller is not held up by appends that came after it.
    private async Task<AppendResult> LeadAsync(string tenantId, PendingAppend own)
    {
        try
        {
            await WriteAsync(null, tenantId, [own]);
        }
        finally
        {
            if (TakeNext(tenantId) is { } next)
                _ = Task.Run(() => DrainAsync(tenantId, next));
        }
        return await own.Outcome.Task;
    }

    // A busy tenant's groups go back to back on one connection of the drain's own: a connection returned to the pool
    // is reset (DISCARD ALL, unless the connection string says No Reset On Close), and the reset throws away the
    // plans PL/pgSQL cached for the append functions, which then plan every statement again on every call.
    private async Task DrainAsync(string tenantId, List<PendingAppend> group)
    {
        NpgsqlConnection? connection = null;
        try
        {
            for (var next = group; next is not null; next = TakeNext(tenantId))
            {
                if (connection is { FullState: not System.Data.ConnectionState.Open })
                {
                    await connection.DisposeAsync();
                    connection = null;
                }
                try
                {
                    connection ??= await dataSource.OpenConnectionAsync();
                }
                catch (Exception e)
                {
                    foreach (var pending in next) pending.Outcome.TrySetException(e);
                    continue;
                }
                await WriteAsync(connection, tenantId, next);
            }
        }
        finally
        {
            if (connection is not null) await connection.DisposeAsync();
        }
    }

    /// <summary>
    /// The next group of the tenant's queue, or null after marking the tenant idle when nothing is waiting. Appends
    /// that touch a stream already in the group wait for the next one: two appends to one stream in one group would
    /// have read the same version, and the second could only lose.
    /// </summary>
    private List<PendingAppend>? TakeNext(string tenantId)
    {
        lock (gate)
        {
            var queue = busy[tenantId];
            var group = new List<PendingAppend>();
            var deferred = new List<PendingAppend>();
            var streams = new HashSet<string>(StringComparer.Ordinal);
            var events = 0;
            for (var left = queue.Count; left > 0 && group.Count < options.MaxAppendsPerGroup; left--)
            {
                var next = queue.Dequeue();
                // A caller that gave up before its append was taken gets its cancellation; once taken, it is written.
                if (next.Cancellation.IsCancellationRequested)
                {
                    next.Outcome.TrySetCanceled(next.Cancellation);
                    continue;
                }
                if (group.Count > 0 && (events + next.Batch.EventCount > options.MaxEventsPerGroup || next.Streams.Any(s => streams.Contains(s.StreamId))))
                {
                    deferred.Add(next);
                    continue;
                }
                group.Add(next);
                events += next.Batch.EventCount;
                foreach (var stream in next.Streams) streams.Add(stream.StreamId);
            }
            if (deferred.Count > 0)
            {
                // Back to the front of the queue, in their order.
                var rest = queue.ToArray();
                queue.Clear();
                foreach (var pending in deferred.Concat(rest)) queue.Enqueue(pending);
            }
            if (group.Count > 0) return group;
            busy.Remove(tenantId);
            return null;
        }
    }

    /// <summary>Writes a group (on <paramref name="connection"/>, or a pooled one) and settles every append in it; never throws.</summary>
    private async Task WriteAsync(NpgsqlConnection? connection, string tenantId, List<PendingAppend> group)
    {
        try
        {
            if (group.Count == 1)
                await WriteAloneAsync(connection, tenantId, group[0]);
            else
                await WriteGroupAsync(connection, tenantId, group);
        }
        catch (Exception e)
        {
            foreach (var pending in group) pending.Outcome.TrySetException(e);
        }
    }

    private async Task WriteAloneAsync(NpgsqlConnection? connection, string tenantId, PendingAppend pending)
    {
        try
        {
            await using var command = connection?.CreateCommand() ?? dataSource.CreateCommand();
            pending.Outcome.TrySetResult(await PostgresEventStore.ExecuteBatch(command, tenantId, pending.Streams, pending.Batch, CancellationToken.None));
        }
        catch (Exception e)
        {
            pending.Outcome.TrySetException(e);
        }
    }

    private async Task WriteGroupAsync(NpgsqlConnection? connection, string tenantId, List<PendingAppend> group)
    {
        var rows = new List<(long? Seq, long TxId, long? ChainSeq, string? Stream, long? Actual)>(group.Count);
        try
        {
            await using var command = connection?.CreateCommand() ?? dataSource.CreateCommand();
            command.CommandText = GroupedCall;
            AppendBatch.AddGroupParameters(tenantId, group.Select(p => p.Batch).ToList(), command.Parameters);
            await using var reader = await command.ExecuteReaderAsync(CancellationToken.None);
            while (await reader.ReadAsync(CancellationToken.None))
                rows.Add((reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetInt64(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetInt64(5)));
        }
        catch (PostgresException)
        {
            // The server refused the whole group and rolled it back: nothing was written. Alone, each append gets
            // its own outcome, and the error only the append that caused it.
            foreach (var pending in group) await WriteAloneAsync(connection, tenantId, pending);
            return;
        }

        for (var i = 0; i < group.Count; i++)
        {
            var (pending, row) = (group[i], rows[i]);
            if (row.Stream is { } stream)
            {
                var expected = pending.Streams.First(s => s.StreamId == stream).Expected;
                pending.Outcome.TrySetException(new ConcurrencyException(tenantId, stream, expected, row.Actual ?? 0));
            }
            else
            {
                pending.Outcome.TrySetResult(new AppendResult(pending.Batch.NewVersions,
                    new GlobalPosition((ulong)row.TxId, row.Seq!.Value), row.ChainSeq!.Value));
            }
        }
    }

    private sealed record PendingAppend(IReadOnlyList<StreamAppend> Streams, AppendBatch Batch, CancellationToken Cancellation)
    {
        public TaskCompletionSource<AppendResult> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

using Ledger.Application.Audit;
using Ledger.EventStore;
using Ledger.EventStore.Leases;
using Ledger.EventStore.MartenStore;
using Npgsql;

namespace Ledger.Host.WritePath;

/// <summary>
/// One PostgreSQL transaction of the write path; disposing it without <see cref="CommitAsync"/> rolls it back.
/// </summary>
/// <remarks>
/// Locks are always taken in one order — the idempotency key, then an audit stream, then a command's own (an issuer's
/// fiscal lock), then (inside Marten's append) the streams' rows — so write transactions never wait on each other in a
/// cycle. Appends go straight to a Marten session enlisted in this transaction
/// (<see cref="MartenEventStore.AppendAsync(NpgsqlTransaction, string, IReadOnlyList{StreamAppend}, CancellationToken)"/>):
/// a transaction holds one append, and a conflict rolls all of it back, so no savepoint is needed.
/// </remarks>
internal sealed class WriteTransaction : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction? _transaction; // null: the transaction is a Marten session's, and it commits it
    private readonly string _schema;
    private readonly MartenEventStore _store;
    private readonly HashSet<long> _locks = [];
    private readonly Dictionary<string, long> _auditVersions = new(StringComparer.Ordinal);
    private bool _completed;

    private WriteTransaction(NpgsqlConnection connection, NpgsqlTransaction? transaction, string schema, MartenEventStore store)
    {
        _store = store;
        _connection = connection;
        _transaction = transaction;
        _schema = schema;
    }

    /// <summary>The open connection and its transaction, for writes of others that must commit with this one (Wolverine's inbox mark).</summary>
    public NpgsqlConnection Connection => _connection;

    public NpgsqlTransaction Transaction => _transaction ?? throw new InvalidOperationException("This transaction is a Marten session's.");

    /// <summary>
    /// The locks and reads of a write on a Marten session's open transaction (a Wolverine handler's), which the session
    /// commits or rolls back: this neither commits nor disposes anything. (Npgsql runs a command in its connection's
    /// transaction without being handed it.)
    /// </summary>
    public static async Task<WriteTransaction> OnSessionAsync(Marten.IDocumentSession session, string schema, MartenEventStore store, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(session);
        await session.BeginTransactionAsync(ct);
        var connection = session.Connection ?? throw new InvalidOperationException("The session has no open connection.");
        return new WriteTransaction(connection, null, schema, store);
    }

    public static async Task<WriteTransaction> BeginAsync(NpgsqlDataSource dataSource, string schema, MartenEventStore store, CancellationToken ct)
    {
        var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            return new WriteTransaction(connection, await connection.BeginTransactionAsync(ct), schema, store);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A refused command's audit entry, alone in a transaction of its own (nothing else was written), on its audit
    /// stream's lock like every entry.
    /// </summary>
    public static async Task AppendAuditEntryAsync(NpgsqlDataSource dataSource, string schema, MartenEventStore store,
        string tenantId, string entity, EventToAppend entry, CancellationToken ct)
    {
        await using var tx = await BeginAsync(dataSource, schema, store, ct);
        await tx.LockAuditStreamAsync(tenantId, entity, ct);
        await tx.AppendAsync(tenantId, [tx.AuditAppend(entity, entry)], ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Takes the transaction-scoped lock named by <paramref name="parts"/> (waiting while another transaction holds it),
    /// then runs <paramref name="query"/>, in one round trip. The query runs once the lock is held, and reads with a
    /// snapshot taken then: each statement of a batch gets its own.
    /// </summary>
    public async Task<T> LockThenReadAsync<T>(
        string[] parts, NpgsqlBatchCommand query, Func<NpgsqlDataReader, Task<T>> read, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(read);
        await using var batch = Batch();
        var key = LockKey(_schema, parts);
        var locking = _locks.Add(key);
        if (locking)
        {
            var take = new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock($1)");
            take.Parameters.Add(new() { Value = key });
            batch.BatchCommands.Add(take);
        }
        batch.BatchCommands.Add(query);
        await using var reader = await batch.ExecuteReaderAsync(ct);
        if (locking) await reader.NextResultAsync(ct);
        return await read(reader);
    }

    /// <summary>
    /// Locks an entity's audit stream and reads its version, in one round trip, before the append. Every writer of an audit stream holds its lock first, so the version stays right until this
    /// transaction ends: an audit entry never causes a conflict.
    /// </summary>
    public async Task LockAuditStreamAsync(string tenantId, string entity, CancellationToken ct)
    {
        var stream = AuditStreams.For(entity);
        if (_auditVersions.ContainsKey(stream)) return;
        var version = new NpgsqlBatchCommand("SELECT version FROM mt_streams WHERE tenant_id = $1 AND id = $2");
        version.Parameters.Add(new() { Value = tenantId });
        version.Parameters.Add(new() { Value = stream });
        _auditVersions[stream] = await LockThenReadAsync(["audit", tenantId, stream], version,
            async reader => await reader.ReadAsync(ct) ? reader.GetInt64(0) : 0, ct);
    }

    /// <summary>The audit entry as one more stream of an append, at the version read under its lock.</summary>
    public StreamAppend AuditAppend(string entity, EventToAppend entry)
    {
        var stream = AuditStreams.For(entity);
        if (!_auditVersions.TryGetValue(stream, out var version))
            throw new InvalidOperationException($"Lock the audit stream of '{entity}' first.");
        return new StreamAppend(stream, ExpectedVersion.Exactly(version), [entry]);
    }

    /// <exception cref="ConcurrencyException">an expected version did not hold; the transaction is then unusable.</exception>
    public async Task<AppendResult> AppendAsync(string tenantId, IReadOnlyList<StreamAppend> streams, CancellationToken ct)
    {
        var result = await _store.AppendAsync(Transaction, tenantId, streams, ct);
        foreach (var (stream, version) in result.StreamVersions)
            if (_auditVersions.ContainsKey(stream)) _auditVersions[stream] = version;
        return result;
    }

    public NpgsqlBatch Batch() => new(_connection, _transaction);

    public async Task CommitAsync(CancellationToken ct)
    {
        await Transaction.CommitAsync(ct);
        _completed = true;
    }

    public async Task RollbackAsync()
    {
        if (_completed || _transaction is null) return; // a session's transaction is the session's to end
        _completed = true;
        try
        {
            await _transaction.RollbackAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // A broken connection has rolled back already; the pool discards it on dispose.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_transaction is null) return; // the session's, disposed with it
        await RollbackAsync();
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }

    // Advisory locks are database-wide: the schema is part of the name so test schemas (and tenants) never share one.
    private static long LockKey(string schema, string[] parts) =>
        AdvisoryLockKey.For("ledger.write:" + schema + "\n" + string.Join('\n', parts));
}

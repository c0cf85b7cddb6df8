using System.Security.Cryptography;
using System.Text;
using Ledger.Application.Audit;
using Ledger.EventStore;
using Npgsql;

namespace Ledger.Host.WritePath;

/// <summary>
/// One PostgreSQL transaction of the write path: the command's appends, its audit entry and its idempotency record
/// commit together or not at all. Disposing it without <see cref="CommitAsync"/> rolls everything back.
/// </summary>
/// <remarks>
/// Locks are always taken in one order — idempotency key, then the audit stream, then (inside append_events) the
/// tenant's chain head — so two write transactions never wait on each other in a cycle.
/// </remarks>
internal sealed class WriteTransaction : IAsyncDisposable
{
    private const int AnyVersionAttempts = 5;
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly string _schema;
    private readonly TransactionalEventStore _store;
    private readonly HashSet<long> _locks = [];
    private readonly Dictionary<string, long> _auditVersions = new(StringComparer.Ordinal);
    private bool _completed;

    private WriteTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction, string schema)
    {
        _connection = connection;
        _transaction = transaction;
        _schema = schema;
        _store = new TransactionalEventStore(connection, transaction);
    }

    public static async Task<WriteTransaction> BeginAsync(NpgsqlDataSource dataSource, string schema, CancellationToken ct)
    {
        var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            return new WriteTransaction(connection, await connection.BeginTransactionAsync(ct), schema);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
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
    /// Appends inside this transaction. A conflict undoes only this append (a savepoint, see
    /// <see cref="TransactionalEventStore"/>), so the caller may decide again and retry while the transaction and its
    /// locks stay. "Any" versions are read here, and retried when another writer got in between.
    /// </summary>
    public async Task<AppendResult> AppendAsync(string tenantId, IReadOnlyList<StreamAppend> streams, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await _store.AppendAsync(tenantId, await ResolveAnyAsync(tenantId, streams, ct), ct);
            }
            catch (ConcurrencyException) when (attempt < AnyVersionAttempts && streams.Any(s => s.Expected.IsAny))
            {
            }
        }
    }

    /// <summary>
    /// Locks an entity's audit stream and reads its version, in one round trip. Every writer of an audit stream
    /// holds its lock first, so the version stays right until this transaction ends: an audit entry never conflicts,
    /// and it is read before append_events locks the tenant's chain head, not while the head is held.
    /// </summary>
    public async Task LockAuditStreamAsync(string tenantId, string entity, CancellationToken ct)
    {
        var stream = AuditStreams.For(entity);
        if (_auditVersions.ContainsKey(stream)) return;
        var version = new NpgsqlBatchCommand("SELECT version FROM streams WHERE tenant_id = $1 AND stream_id = $2");
        version.Parameters.Add(new() { Value = tenantId });
        version.Parameters.Add(new() { Value = stream });
        _auditVersions[stream] = await LockThenReadAsync(["audit", tenantId, stream], version,
            async reader => await reader.ReadAsync(ct) ? reader.GetInt64(0) : 0, ct);
    }

    /// <summary>Appends one audit entry to its entity's audit stream, at the version read under the stream's lock.</summary>
    public async Task<AppendResult> AppendAuditAsync(string tenantId, string entity, EventToAppend entry, CancellationToken ct)
    {
        await LockAuditStreamAsync(tenantId, entity, ct);
        var stream = AuditStreams.For(entity);
        var result = await _store.AppendAsync(tenantId, [new StreamAppend(stream, ExpectedVersion.Exactly(_auditVersions[stream]), [entry])], ct);
        _auditVersions[stream] = result.StreamVersions[stream];
        return result;
    }

    public NpgsqlCommand Command(string sql) => new(sql, _connection, _transaction);

    public NpgsqlBatch Batch() => new(_connection, _transaction);

    public async Task CommitAsync(CancellationToken ct)
    {
        await _transaction.CommitAsync(ct);
        _completed = true;
    }

    public async Task RollbackAsync()
    {
        if (_completed) return;
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
        await RollbackAsync();
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }

    private async Task<long> VersionAsync(string tenantId, string streamId, CancellationToken ct)
    {
        await using var command = Command("SELECT version FROM streams WHERE tenant_id = $1 AND stream_id = $2");
        command.Parameters.Add(new() { Value = tenantId });
        command.Parameters.Add(new() { Value = streamId });
        return await command.ExecuteScalarAsync(ct) is long version ? version : 0;
    }

    private async Task<IReadOnlyList<StreamAppend>> ResolveAnyAsync(string tenantId, IReadOnlyList<StreamAppend> streams, CancellationToken ct)
    {
        if (!streams.Any(s => s.Expected.IsAny)) return streams;
        var resolved = new List<StreamAppend>(streams.Count);
        foreach (var s in streams)
            resolved.Add(s.Expected.IsAny ? s with { Expected = ExpectedVersion.Exactly(await VersionAsync(tenantId, s.StreamId, ct)) } : s);
        return resolved;
    }

    // Advisory locks are database-wide: the schema is part of the name so test schemas (and tenants) never share one.
    private static long LockKey(string schema, string[] parts) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("ledger.write:" + schema + "\n" + string.Join('\n', parts))), 0);
}

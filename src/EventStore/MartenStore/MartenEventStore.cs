using System.Text.Json;
using Marten;
using Marten.Services;
using Npgsql;

namespace Ledger.EventStore.MartenStore;

/// <summary>
/// Ledger's event store on Marten. Appends are Marten Quick appends in a lightweight session of the tenant
/// (conjoined tenancy), with an expected version per stream and all streams in one transaction. A stream is read
/// through Marten (its live stream read, <c>FetchStreamAsync</c>), for command handlers to fold with their deciders,
/// each event with its place in its chain once sealed; the store-wide order reads <c>ledger_events</c> (sealed events
/// only, see <see cref="ChainSealer"/>).
/// </summary>
public sealed class MartenEventStore(IDocumentStore store, NpgsqlDataSource reads, EventShapes shapes, JsonSerializerOptions json) : IEventStore
{
    // "Any" lets Marten take the stream's version as it finds it; two writers that found the same one collide on the
    // stream version, and the loser tries again after a short random pause rather than fail a caller who said any
    // version will do.
    private const int AnyVersionAttempts = 12;

    public async Task<AppendResult> AppendAsync(string tenantId, IReadOnlyList<StreamAppend> streams, CancellationToken ct = default)
    {
        AppendValidation.Check(tenantId, streams);
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession(tenantId);
            var append = MartenAppend.Stage(session, tenantId, streams, shapes, json);
            try
            {
                await session.SaveChangesAsync(ct);
                return append.Result();
            }
            catch (Exception error) when (MartenAppend.IsConflict(error))
            {
                if (attempt >= AnyVersionAttempts || !streams.Any(s => s.Expected.IsAny)) throw await append.ConflictAsync(reads, ct);
                await Task.Delay(Random.Shared.Next(1, 1 + Math.Min(64, 1 << attempt)), ct);
            }
        }
    }

    /// <summary>
    /// Appends inside the caller's open transaction (a Marten session enlisted in it), so the caller's other writes —
    /// an inbox row, an idempotency key — commit or roll back with the events. Expected versions must be explicit.
    /// </summary>
    public async Task<AppendResult> AppendAsync(NpgsqlTransaction transaction, string tenantId, IReadOnlyList<StreamAppend> streams, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        AppendValidation.Check(tenantId, streams);
        if (streams.Any(s => s.Expected.IsAny))
            throw new ArgumentException("an append inside a caller's transaction needs explicit expected versions");
        var options = SessionOptions.ForTransaction(transaction);
        options.TenantId = tenantId;
        await using var session = store.LightweightSession(options);
        var append = MartenAppend.Stage(session, tenantId, streams, shapes, json);
        try
        {
            await session.SaveChangesAsync(ct);
            return append.Result();
        }
        catch (Exception error) when (MartenAppend.IsConflict(error))
        {
            throw await append.ConflictAsync(reads, ct);
        }
    }

    /// <summary>
    /// A session of the tenant enlisted in the caller's open transaction: what it saves commits or rolls back with the
    /// caller's other writes (an inbound message's inbox mark), and what it reads includes the transaction's own writes.
    /// </summary>
    public IDocumentSession SessionIn(NpgsqlTransaction transaction, string tenantId)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        var options = SessionOptions.ForTransaction(transaction);
        options.TenantId = tenantId;
        return store.LightweightSession(options);
    }

    /// <summary>
    /// Stages Ledger events on a session someone else commits (a Wolverine handler's, whose transactional middleware
    /// saves it): each event with its stored shape, id, time and metadata, each stream at its expected version. The
    /// returned append answers the versions and positions once the session has saved.
    /// </summary>
    public MartenAppend Stage(IDocumentSession session, IReadOnlyList<StreamAppend> streams)
    {
        ArgumentNullException.ThrowIfNull(session);
        var tenantId = session.TenantId;
        AppendValidation.Check(tenantId, streams);
        return MartenAppend.Stage(session, tenantId, streams, shapes, json);
    }

    /// <summary>One Ledger event as Marten appends it (stored shape, Ledger's id, time and metadata), for a caller's stream.</summary>
    public JasperFx.Events.IEvent Build(IDocumentSession session, EventToAppend e) => MartenAppend.Build(session, e, shapes, json);

    public Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(string tenantId, string streamId, long fromVersion = 1, CancellationToken ct = default) =>
        ReadStreamAsync(null, tenantId, streamId, fromVersion, ct);

    /// <summary>
    /// A stream's events from <paramref name="fromVersion"/> on, read by Marten in a query session of the tenant (in
    /// <paramref name="transaction"/> when given, so it sees that transaction's own appends), as the codecs wrote them,
    /// each with its chain position and hashes once sealed (an event not sealed yet has chain position 0, no hashes,
    /// and its own time as recorded time).
    /// </summary>
    public async Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(
        NpgsqlTransaction? transaction, string tenantId, string streamId, long fromVersion, CancellationToken ct)
    {
        var options = transaction is null ? new SessionOptions() : SessionOptions.ForTransaction(transaction);
        options.TenantId = tenantId;
        IReadOnlyList<JasperFx.Events.IEvent> events;
        await using (var session = store.QuerySession(options))
            events = await session.Events.FetchStreamAsync(streamId, fromVersion: Math.Max(fromVersion, 1), token: ct);
        if (events.Count == 0) return [];
        var chain = await ChainEntriesAsync(transaction, events, ct);
        return [.. events.Select(e => chain.TryGetValue(e.Sequence, out var entry)
            ? shapes.ToRecorded(e, json) with { ChainSeq = entry.ChainSeq, EntryHash = entry.EntryHash, ChainHash = entry.ChainHash, RecordedAt = entry.SealedAt }
            : shapes.ToRecorded(e, json))];
    }

    /// <summary>
    /// A stream's events from <paramref name="fromVersion"/> on as a command's session sees them (inside its
    /// transaction, its tenant's), for deciding: without their chain entries, which a decision never needs.
    /// </summary>
    public async Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(IQuerySession session, string streamId, long fromVersion, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(session);
        var events = await session.Events.FetchStreamAsync(streamId, fromVersion: Math.Max(fromVersion, 1), token: ct);
        return [.. events.Select(e => shapes.ToRecorded(e, json))];
    }

    // The chain entries of events Marten read: one indexed lookup by seq_id.
    private async Task<Dictionary<long, (long ChainSeq, byte[] EntryHash, byte[] ChainHash, DateTimeOffset SealedAt)>> ChainEntriesAsync(
        NpgsqlTransaction? transaction, IReadOnlyList<JasperFx.Events.IEvent> events, CancellationToken ct)
    {
        const string sql = "SELECT seq_id, chain_seq, entry_hash, chain_hash, sealed_at FROM ledger_chain WHERE seq_id = ANY($1)";
        await using var command = transaction is null ? reads.CreateCommand(sql) : new NpgsqlCommand(sql, transaction.Connection, transaction);
        command.Parameters.Add(new() { Value = events.Select(e => e.Sequence).ToArray() });
        var entries = new Dictionary<long, (long, byte[], byte[], DateTimeOffset)>(events.Count);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            entries[reader.GetInt64(0)] = (reader.GetInt64(1), reader.GetFieldValue<byte[]>(2), reader.GetFieldValue<byte[]>(3), reader.GetFieldValue<DateTimeOffset>(4));
        return entries;
    }

    public async Task<IReadOnlyList<RecordedEvent>> ReadAllAsync(GlobalPosition after, int max, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        // Sealed events only: the sealer enters them in seq order, a committed batch at a time, so no event at or
        // below the last one returned can be sealed later.
        await using var command = reads.CreateCommand($"""
            SELECT {LedgerRows.Columns}
              FROM ledger_chain c JOIN ledger_records r ON r.seq = c.seq_id
             WHERE c.seq_id > $1
             ORDER BY c.seq_id
             LIMIT $2
            """);
        command.Parameters.Add(new() { Value = after.Seq });
        command.Parameters.Add(new() { Value = max });
        return await LedgerRows.ReadAll(command, ct);
    }
}

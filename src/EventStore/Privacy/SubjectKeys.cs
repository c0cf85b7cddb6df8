using System.Collections.Concurrent;
using Marten;
using Npgsql;

namespace Ledger.EventStore.Privacy;

/// <summary>
/// What is known of one generation of a subject's key: the key, or when it was erased — or neither, when it is wrapped
/// under a master key this host is not given (<see cref="Unavailable"/>: a rotation retired a key too early).
/// </summary>
public sealed record SubjectKeyState(string SubjectId, int Generation, SubjectKey? Key, DateTimeOffset? ErasedAt)
{
    public bool Unavailable => Key is null && ErasedAt is null;
}

/// <summary>
/// The <c>subject_keys</c> table (migration 0013), through <see cref="MasterKeyRing"/>: a subject's key is created the
/// first time personal data about it is sealed, in the transaction that appends that data, and destroyed by erasure.
/// </summary>
/// <param name="heldFor">How long a held key is used before it is read from the table again (<see cref="DefaultHeldFor"/>).</param>
public sealed class SubjectKeys(MasterKeyRing masterKeys, TimeSpan? heldFor = null)
{
    /// <summary>Keys this process sealed under lately, with their stored (wrapped) form; a hint, never trusted alone.</summary>
    private readonly ConcurrentDictionary<(string Tenant, string Subject), Held> known = new();
    private const int MaxKnown = 100_000;

    /// <summary>
    /// How long a held key is used before it is read from the table again: a key erased or re-wrapped elsewhere fails
    /// the commits that use it (their callers decide again), and a caller that cannot decide again sees that for this
    /// long at most.
    /// </summary>
    public static readonly TimeSpan DefaultHeldFor = TimeSpan.FromSeconds(10);

    private readonly long heldForMs = (long)(heldFor ?? DefaultHeldFor).TotalMilliseconds;

    private sealed record Held(SubjectKey Key, byte[] Wrapped, long Since);

    public MasterKeyRing MasterKeys { get; } = masterKeys;

    /// <summary>
    /// The subject's key for sealing on <paramref name="session"/> without a round trip of its own, checked in the
    /// session's commit instead (docs/privacy.md, "Sealing on the append path"). A key this process holds is used at
    /// once, with <c>subject_key_in_use</c> queued to lock it against erasure until the commit and to fail the commit when
    /// it is no longer the subject's live key. A subject this process has not seen is taken to be new: a fresh key is
    /// queued as its generation 1, which fails the commit (a primary key violation) when the subject had one. Either
    /// failure is <see cref="IsStale"/>: the caller decides the command again with <see cref="ForSealingAsync"/>, which
    /// reads the table.
    /// </summary>
    /// <returns>The key, or null when this process held the subject's key too long to trust it: read it from the table.</returns>
    public SubjectKey? ForSealingInCommit(IDocumentSession session, string tenantId, string subjectId)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (known.TryGetValue((tenantId, subjectId), out var held))
        {
            if (Environment.TickCount64 - held.Since > heldForMs) return null; // the subject exists: no guess
            session.QueueSqlCommand("SELECT subject_key_in_use(?, ?, ?, ?, ?)", LockKey(tenantId, subjectId), tenantId, subjectId, held.Key.Generation, held.Wrapped);
            return held.Key;
        }
        var fresh = SubjectKey.Create(tenantId, subjectId, 1);
        var (kid, wrapped) = MasterKeys.Wrap(fresh);
        session.QueueSqlCommand("INSERT INTO subject_keys (tenant_id, subject_id, generation, master_kid, wrapped_key) VALUES (?, ?, 1, ?, ?)",
            tenantId, subjectId, kid, wrapped);
        Remember(fresh, wrapped);
        return fresh;
    }

    /// <summary>
    /// The subject's advisory lock: taken shared by <c>subject_key_in_use</c> while an order commits under a held key,
    /// exclusively by an erasure (<see cref="LockForErasureAsync"/>) before it destroys the key.
    /// </summary>
    public static long LockKey(string tenantId, string subjectId) => Leases.AdvisoryLockKey.For("ledger.subject-key:" + tenantId + "\n" + subjectId);

    /// <summary>A commit that failed because a key this process held, or took to be new, was not the subject's live one.</summary>
    public static bool IsStale(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
            if (e is PostgresException { SqlState: "LK001" } or PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "subject_keys_pkey" })
                return true;
        return false;
    }

    /// <summary>Forgets what this process held of the subject's key (it was erased here).</summary>
    public void Forget(string tenantId, string subjectId) => known.TryRemove((tenantId, subjectId), out _);

    private void Remember(SubjectKey key, byte[] wrapped)
    {
        var now = Environment.TickCount64;
        if (known.Count >= MaxKnown)
        {
            foreach (var (subject, held) in known)
                if (now - held.Since > heldForMs) known.TryRemove(subject, out _);
            if (known.Count >= MaxKnown) known.Clear(); // a hint: losing it costs a lost commit per returning subject
        }
        known[(key.TenantId, key.SubjectId)] = new Held(key, wrapped, now);
    }

    /// <summary>
    /// The subject's live key on <paramref name="connection"/>, inside the caller's transaction — created there when the
    /// subject has none — and locked against erasure until that transaction ends: what it seals commits under a key
    /// that is still there, and an erasure that comes after destroys it with the rest. One round trip, without a commit
    /// of its own.
    /// </summary>
    public async Task<SubjectKey> ForSealingAsync(NpgsqlConnection connection, string tenantId, string subjectId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        // A key wrapped ahead, used only when the subject has none. Its binding leaves the generation out: the database
        // numbers it.
        var fresh = SubjectKey.Create(tenantId, subjectId, 0);
        var (kid, wrapped) = MasterKeys.Wrap(fresh);
        // Two transactions creating the same generation of a subject's key: the second waits at the primary key, does nothing,
        // and finds the first one's key on its next try.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await using var command = new NpgsqlCommand("""
                WITH live AS (
                    SELECT generation, master_kid, wrapped_key FROM subject_keys
                     WHERE tenant_id = $1 AND subject_id = $2 AND erased_at IS NULL
                       FOR SHARE),
                created AS (
                    INSERT INTO subject_keys (tenant_id, subject_id, generation, master_kid, wrapped_key)
                    SELECT $1, $2, COALESCE((SELECT max(generation) FROM subject_keys WHERE tenant_id = $1 AND subject_id = $2), 0) + 1, $3, $4
                     WHERE NOT EXISTS (SELECT 1 FROM live)
                    ON CONFLICT DO NOTHING
                    RETURNING generation, master_kid, wrapped_key)
                SELECT generation, master_kid, wrapped_key FROM live
                UNION ALL
                SELECT generation, master_kid, wrapped_key FROM created
                """, connection);
            command.Parameters.Add(new() { Value = tenantId });
            command.Parameters.Add(new() { Value = subjectId });
            command.Parameters.Add(new() { Value = kid });
            command.Parameters.Add(new() { Value = wrapped });
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (!await reader.ReadAsync(ct).ConfigureAwait(false)) continue;
            var generation = reader.GetInt32(0);
            var storedKid = reader.GetString(1);
            var stored = reader.GetFieldValue<byte[]>(2);
            var key = storedKid == kid && stored.AsSpan().SequenceEqual(wrapped)
                ? fresh with { Generation = generation }
                : MasterKeys.Unwrap(tenantId, subjectId, generation, storedKid, stored);
            Remember(key, stored);
            return key;
        }
        throw new InvalidOperationException($"No key could be created or found for a data subject of tenant {tenantId}.");
    }

    /// <summary>Every generation of the given subjects' keys: the key (unwrapped), or the time it was erased.</summary>
    public async Task<IReadOnlyList<SubjectKeyState>> ReadAsync(NpgsqlDataSource dataSource, string tenantId, IReadOnlyCollection<string> subjectIds,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(subjectIds);
        if (subjectIds.Count == 0) return [];
        await using var command = dataSource.CreateCommand("""
            SELECT subject_id, generation, master_kid, wrapped_key, erased_at FROM subject_keys
             WHERE tenant_id = $1 AND subject_id = ANY($2)
            """);
        command.Parameters.Add(new() { Value = tenantId });
        command.Parameters.Add(new() { Value = subjectIds.Distinct().ToArray() });
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var states = new List<SubjectKeyState>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var subject = reader.GetString(0);
            var generation = reader.GetInt32(1);
            states.Add(reader.IsDBNull(4)
                ? new SubjectKeyState(subject, generation, TryUnwrap(tenantId, subject, generation, reader.GetString(2), reader.GetFieldValue<byte[]>(3)), null)
                : new SubjectKeyState(subject, generation, null, reader.GetFieldValue<DateTimeOffset>(4)));
        }
        return states;
    }

    private SubjectKey? TryUnwrap(string tenantId, string subjectId, int generation, string kid, byte[] wrapped)
    {
        try
        {
            return MasterKeys.Unwrap(tenantId, subjectId, generation, kid, wrapped);
        }
        catch (Exception e) when (e is MasterKeyMissingException or System.Security.Cryptography.CryptographicException)
        {
            return null; // unavailable to this reader, which says so; the writer's path refuses instead (ForSealingAsync)
        }
    }

    /// <summary>
    /// The statement that destroys a subject's live key, with Marten's <c>?</c> placeholders for the erasure time, the
    /// tenant and the subject: queued on an erasure's session (<c>QueueSqlCommand</c>), it is that session's work, so
    /// saving it commits the erasure whatever else the session holds.
    /// </summary>
    public const string EraseStatement =
        "UPDATE subject_keys SET master_kid = NULL, wrapped_key = NULL, erased_at = ? WHERE tenant_id = ? AND subject_id = ? AND erased_at IS NULL";

    /// <summary>
    /// Locks the subject's live key for its erasure in the caller's transaction — waiting for every transaction sealing
    /// under it to commit, whether it holds the subject's advisory lock (a held key) or the row (a key read from the
    /// table) — and returns its generation, or null when it has none (never seen, or erased already).
    /// </summary>
    public static async Task<int?> LockForErasureAsync(NpgsqlConnection connection, string tenantId, string subjectId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var batch = new NpgsqlBatch(connection);
        var advisory = new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock($1)");
        advisory.Parameters.Add(new() { Value = LockKey(tenantId, subjectId) });
        var row = new NpgsqlBatchCommand("SELECT generation FROM subject_keys WHERE tenant_id = $1 AND subject_id = $2 AND erased_at IS NULL FOR UPDATE");
        row.Parameters.Add(new() { Value = tenantId });
        row.Parameters.Add(new() { Value = subjectId });
        batch.BatchCommands.Add(advisory);
        batch.BatchCommands.Add(row);
        await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.NextResultAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? reader.GetInt32(0) : null;
    }

    /// <summary>
    /// Destroys the subject's live key at once on <paramref name="connection"/> (waiting for any transaction sealing
    /// under it); returns the generation destroyed, or null when there was none. For a caller that owns its connection's
    /// transaction; an erasure on a Marten session queues <see cref="EraseStatement"/> instead.
    /// </summary>
    public static async Task<int?> EraseAsync(NpgsqlConnection connection, string tenantId, string subjectId, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (await LockForErasureAsync(connection, tenantId, subjectId, ct).ConfigureAwait(false) is not { } generation) return null;
        await using var command = new NpgsqlCommand(
            "UPDATE subject_keys SET master_kid = NULL, wrapped_key = NULL, erased_at = $1 WHERE tenant_id = $2 AND subject_id = $3 AND erased_at IS NULL",
            connection);
        command.Parameters.Add(new() { Value = now });
        command.Parameters.Add(new() { Value = tenantId });
        command.Parameters.Add(new() { Value = subjectId });
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        return generation;
    }

    /// <summary>When each generation of the subject's key was erased (none: never erased or never seen).</summary>
    public static async Task<IReadOnlyList<(int Generation, DateTimeOffset? ErasedAt)>> HistoryAsync(NpgsqlConnection connection, string tenantId, string subjectId,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new NpgsqlCommand(
            "SELECT generation, erased_at FROM subject_keys WHERE tenant_id = $1 AND subject_id = $2 ORDER BY generation", connection);
        command.Parameters.Add(new() { Value = tenantId });
        command.Parameters.Add(new() { Value = subjectId });
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var history = new List<(int, DateTimeOffset?)>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            history.Add((reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1)));
        return history;
    }

    /// <summary>
    /// Re-wraps every live key that is not under the current master key, <paramref name="batch"/> rows per transaction
    /// (rows being sealed under are skipped and picked up by the next pass); returns how many it re-wrapped.
    /// </summary>
    /// <exception cref="MasterKeyMissingException">a key is wrapped under a master key the ring does not hold.</exception>
    public async Task<int> RewrapAsync(NpgsqlDataSource dataSource, int batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var total = 0;
        while (true)
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
            await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            var rows = new List<(string Tenant, string Subject, int Generation, string Kid, byte[] Wrapped)>();
            await using (var select = new NpgsqlCommand("""
                SELECT tenant_id, subject_id, generation, master_kid, wrapped_key FROM subject_keys
                 WHERE erased_at IS NULL AND master_kid <> $1 LIMIT $2 FOR UPDATE SKIP LOCKED
                """, connection, tx))
            {
                select.Parameters.Add(new() { Value = MasterKeys.CurrentKid });
                select.Parameters.Add(new() { Value = batch });
                await using var reader = await select.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    rows.Add((reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetString(3), reader.GetFieldValue<byte[]>(4)));
            }
            if (rows.Count == 0) return total;
            foreach (var row in rows)
            {
                var (kid, wrapped) = MasterKeys.Wrap(MasterKeys.Unwrap(row.Tenant, row.Subject, row.Generation, row.Kid, row.Wrapped));
                await using var update = new NpgsqlCommand("""
                    UPDATE subject_keys SET master_kid = $4, wrapped_key = $5 WHERE tenant_id = $1 AND subject_id = $2 AND generation = $3
                    """, connection, tx);
                update.Parameters.Add(new() { Value = row.Tenant });
                update.Parameters.Add(new() { Value = row.Subject });
                update.Parameters.Add(new() { Value = row.Generation });
                update.Parameters.Add(new() { Value = kid });
                update.Parameters.Add(new() { Value = wrapped });
                await update.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            await tx.CommitAsync(ct).ConfigureAwait(false);
            total += rows.Count;
        }
    }

    /// <summary>How many live keys each master key wraps, and how many keys were erased.</summary>
    public static async Task<(IReadOnlyDictionary<string, long> LiveByMasterKid, long Erased)> CountAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var command = dataSource.CreateCommand(
            "SELECT master_kid, count(*) FROM subject_keys GROUP BY master_kid");
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var live = new Dictionary<string, long>();
        long erased = 0;
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            if (reader.IsDBNull(0)) erased = reader.GetInt64(1);
            else live[reader.GetString(0)] = reader.GetInt64(1);
        }
        return (live, erased);
    }
}

using System.Text.Json;
using Ledger.EventStore.Chain;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.EventStore;

/// <summary>
/// The event store on PostgreSQL. An append is one call of <c>append_events</c> (one round trip while the
/// tenant's chain head is locked); the entry hashes are computed here beforehand, off the lock. With
/// <see cref="PostgresEventStoreOptions.GroupConcurrentAppends"/>, appends of one tenant that arrive while its
/// previous write is in flight are written together in one call (see <see cref="TenantAppendCombiner"/>).
/// </summary>
public sealed class PostgresEventStore(NpgsqlDataSource dataSource, PostgresEventStoreOptions? options = null) : IEventStore
{
    private readonly TenantAppendCombiner? combiner =
        options is { GroupConcurrentAppends: true } ? new TenantAppendCombiner(dataSource, options) : null;

    // "Any" resolves to the version read just before the append (the version is part of each entry's hash, so the
    // database cannot pick it); if another writer slips in between, re-read and try again rather than fail a caller
    // who said any version will do. Writers racing on one stream would collide again at once, so each retry first
    // waits a random few milliseconds, doubling the range each time.
    private const int AnyVersionAttempts = 12;

    /// <summary>
    /// Raised after an append of this store has committed (not for appends inside a caller's transaction,
    /// whose commit the store cannot see). Readers in this process use it to wake at once; see
    /// AppendNotifier (Notifications) for other processes.
    /// </summary>
    public event Action<string, AppendResult>? Appended;

    public async Task<AppendResult> AppendAsync(string tenantId, IReadOnlyList<StreamAppend> streams, CancellationToken ct = default)
    {
        AppendValidation.Check(tenantId, streams);
        for (var attempt = 1; ; attempt++)
        {
            var expected = await ResolveExpected(tenantId, streams, ct);
            try
            {
                var result = await AppendOnce(tenantId, streams, expected, ct);
                Appended?.Invoke(tenantId, result);
                return result;
            }
            catch (ConcurrencyException) when (attempt < AnyVersionAttempts && streams.Any(s => s.Expected.IsAny))
            {
                await Task.Delay(Random.Shared.Next(1, 1 + Math.Min(64, 1 << attempt)), ct);
            }
        }
    }

    /// <summary>
    /// Appends on the caller's connection and within its open transaction, so that other writes (an inbox
    /// row, a read model) commit or roll back together with the events. Expected versions must be explicit.
    /// </summary>
    public static async Task<AppendResult> AppendAsync(NpgsqlConnection connection, string tenantId, IReadOnlyList<StreamAppend> streams, CancellationToken ct = default)
    {
        AppendValidation.Check(tenantId, streams);
        if (streams.Any(s => s.Expected.IsAny))
            throw new ArgumentException("an append inside a caller's transaction needs explicit expected versions");
        await using var command = connection.CreateCommand();
        return await Execute(command, tenantId, streams, streams.Select(s => s.Expected.Value).ToArray(), ct);
    }

    public async Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(string tenantId, string streamId, long fromVersion = 1, CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {RecordedEventReader.Columns} FROM events WHERE tenant_id = $1 AND stream_id = $2 AND stream_version >= $3 ORDER BY stream_version");
        command.Parameters.Add(new() { Value = tenantId });
        command.Parameters.Add(new() { Value = streamId });
        command.Parameters.Add(new() { Value = fromVersion });
        return await RecordedEventReader.ReadAll(command, ct);
    }

    public async Task<IReadOnlyList<RecordedEvent>> ReadAllAsync(GlobalPosition after, int max, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        // Only transactions older than the oldest one still running are read: every one of them has
        // committed or aborted, and any later commit has a larger id, so it sorts after this page.
        // The ORDER BY names the table's columns: a bare tx_id would be the output column of that name (the bigint
        // cast), which no index orders, so each page would sort every event after the position.
        await using var command = dataSource.CreateCommand($"""
            SELECT {RecordedEventReader.Columns} FROM events
             WHERE (tx_id, seq) > ($1::text::xid8, $2)
               AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
             ORDER BY events.tx_id, events.seq
             LIMIT $3
            """);
        command.Parameters.Add(new() { Value = after.TxId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        command.Parameters.Add(new() { Value = after.Seq });
        command.Parameters.Add(new() { Value = max });
        return await RecordedEventReader.ReadAll(command, ct);
    }

    private async Task<long[]> ResolveExpected(string tenantId, IReadOnlyList<StreamAppend> streams, CancellationToken ct)
    {
        var expected = streams.Select(s => s.Expected.Value).ToArray();
        var any = streams.Where(s => s.Expected.IsAny).Select(s => s.StreamId).ToArray();
        if (any.Length == 0) return expected;

        await using var command = dataSource.CreateCommand(
            "SELECT stream_id, version FROM streams WHERE tenant_id = $1 AND stream_id = ANY($2)");
        command.Parameters.Add(new() { Value = tenantId });
        command.Parameters.Add(new() { Value = any });
        var current = new Dictionary<string, long>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) current[reader.GetString(0)] = reader.GetInt64(1);
        for (var i = 0; i < streams.Count; i++)
            if (streams[i].Expected.IsAny) expected[i] = current.GetValueOrDefault(streams[i].StreamId);
        return expected;
    }

    private async Task<AppendResult> AppendOnce(string tenantId, IReadOnlyList<StreamAppend> streams, long[] expected, CancellationToken ct)
    {
        if (combiner is not null)
        {
            using var grouped = Telemetry.LedgerTelemetry.StartAppend(tenantId, streams);
            return await combiner.AppendAsync(tenantId, streams, AppendBatch.Build(tenantId, streams, expected), ct);
        }
        await using var command = dataSource.CreateCommand();
        return await Execute(command, tenantId, streams, expected, ct);
    }

    private static async Task<AppendResult> Execute(NpgsqlCommand command, string tenantId, IReadOnlyList<StreamAppend> streams, long[] expected, CancellationToken ct)
    {
        using var activity = Telemetry.LedgerTelemetry.StartAppend(tenantId, streams); // every append, in or out of a caller's transaction
        return await ExecuteBatch(command, tenantId, streams, AppendBatch.Build(tenantId, streams, expected), ct);
    }

    /// <summary>One append, already hashed, through <c>append_events</c>; a version that does not hold raises <see cref="ConcurrencyException"/>.</summary>
    internal static async Task<AppendResult> ExecuteBatch(NpgsqlCommand command, string tenantId, IReadOnlyList<StreamAppend> streams, AppendBatch batch, CancellationToken ct)
    {
        command.CommandText = "SELECT last_seq, last_tx_id, last_chain_seq FROM append_events($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
        batch.AddParameters(command.Parameters);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            var position = new GlobalPosition((ulong)reader.GetInt64(1), reader.GetInt64(0));
            return new AppendResult(batch.NewVersions, position, reader.GetInt64(2));
        }
        catch (PostgresException e) when (e.SqlState == "LE409")
        {
            // append_events names the stream in the constraint field and its version in the hint, because
            // Npgsql hides DETAIL unless the connection string asks for it.
            var streamId = e.ConstraintName ?? "";
            var actual = long.Parse(e.Hint ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            var stream = streams.First(s => s.StreamId == streamId);
            throw new ConcurrencyException(tenantId, streamId, stream.Expected, actual);
        }
    }
}

using System.Text.Json;
using Marten;
using Marten.Services;
using Npgsql;

namespace Ledger.EventStore.MartenStore;

/// <summary>
/// Ledger's event store on Marten. Appends are Marten Quick appends in a lightweight session of the tenant
/// (conjoined tenancy), with an expected version per stream and all streams in one transaction. Reads follow
/// Ledger's views over Marten's tables: a stream reads <c>ledger_records</c> (every committed event, sealed or not
/// yet); the store-wide order reads <c>ledger_events</c> (sealed events only, see <see cref="ChainSealer"/>).
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
            using var activity = Telemetry.LedgerTelemetry.StartAppend(tenantId, streams);
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
        using var activity = Telemetry.LedgerTelemetry.StartAppend(tenantId, streams);
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

    public async Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(string tenantId, string streamId, long fromVersion = 1, CancellationToken ct = default)
    {
        await using var command = reads.CreateCommand(LedgerRows.StreamQuery);
        command.Parameters.Add(new() { Value = tenantId });
        command.Parameters.Add(new() { Value = streamId });
        command.Parameters.Add(new() { Value = fromVersion });
        return await LedgerRows.ReadAll(command, ct);
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

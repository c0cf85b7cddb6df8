using System.Collections.Concurrent;
using System.Globalization;
using Ledger.EventStore;
using Npgsql;

namespace Ledger.Projections.Daemon;

/// <summary>
/// Applies a run of events to one generation in the caller's transaction, in one round trip: the checkpoint's advance
/// first (so a batch that lost its checkpoint fails before writing), then per tenant its setting and its events'
/// statements, those of one text folded into one set-based statement where <see cref="SetBasedUpsert"/> can (unless
/// <c>setBased</c> is false: then one statement per event, as the projection wrote it).
/// </summary>
internal static class BatchApplier
{
    public const string CheckpointMovedState = "LP409";

    private static readonly ConcurrentDictionary<(string Sql, int Generation), string> ResolvedSql = new();

    public static async Task ApplyAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Checkpoint from,
        IReadOnlyList<RecordedEvent> events, IReadOnlyList<ProjectionStatement?> statements, CancellationToken ct,
        bool setBased = true)
    {
        using var span = Ledger.EventStore.Telemetry.LedgerTelemetry.StartProjectionBatch(from.Name, events.Count);
        await using var batch = new NpgsqlBatch(connection, transaction);
        var last = events[^1];
        batch.BatchCommands.Add(Command("SELECT projection_advance($1, $2, $3, $4, $5, $6)",
            from.Name, from.Generation, from.Position.Seq, last.Position.Seq, (long)events.Count, last.RecordedAt.ToUniversalTime()));

        // Which event each command belongs to, to name the event when a statement fails (-1: several events).
        var eventOfCommand = new List<int> { -1 };
        foreach (var (tenant, groups) in Grouped(events, statements))
        {
            batch.BatchCommands.Add(Command("SELECT set_config('ledger.tenant', $1, true)", tenant));
            eventOfCommand.Add(groups[0][0]);
            foreach (var group in groups)
            {
                var rows = group.Select(i => statements[i]!).ToList();
                var upsert = setBased && group.Count > 1 ? SetBasedUpsert.Of(Resolve(rows[0].Sql, from.Generation)) : null;
                var waves = upsert?.Waves(rows) ?? [.. Enumerable.Range(0, group.Count).Select(i => new List<int> { i })];
                foreach (var wave in waves)
                {
                    batch.BatchCommands.Add(wave.Count == 1
                        ? Command(Resolve(rows[wave[0]].Sql, from.Generation), [.. rows[wave[0]].Parameters])
                        : upsert!.Command([.. wave.Select(i => rows[i])]));
                    eventOfCommand.Add(wave.Count == 1 ? group[wave[0]] : -1);
                }
            }
        }

        try
        {
            await batch.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == CheckpointMovedState)
        {
            throw new CheckpointMovedException(from, e);
        }
        catch (PostgresException e) when (!e.IsTransient)
        {
            // Npgsql names the failed command only with "Include Failed Batched Command" in the connection string;
            // without it the index is unknown (-1) and the runner finds the event by applying one at a time.
            var index = e.BatchCommand is { } failed ? batch.BatchCommands.IndexOf(failed) : -1;
            throw new EventApplyException(index > 0 ? eventOfCommand[index] : -1, e);
        }
    }

    /// <summary>
    /// The events that have a statement, by tenant (row-level security admits one tenant at a time) and, within a
    /// tenant, by statement text, each in store order. The contract lets statements commute, so this order is as good
    /// as the store's.
    /// </summary>
    private static IEnumerable<(string Tenant, List<List<int>> Groups)> Grouped(
        IReadOnlyList<RecordedEvent> events, IReadOnlyList<ProjectionStatement?> statements)
    {
        var tenants = new Dictionary<string, Dictionary<string, List<int>>>(StringComparer.Ordinal);
        for (var i = 0; i < events.Count; i++)
        {
            if (statements[i] is not { } statement) continue;
            if (!tenants.TryGetValue(events[i].TenantId, out var bySql)) tenants[events[i].TenantId] = bySql = new(StringComparer.Ordinal);
            if (!bySql.TryGetValue(statement.Sql, out var group)) bySql[statement.Sql] = group = [];
            group.Add(i);
        }
        return tenants.Select(t => (t.Key, t.Value.Values.ToList()));
    }

    /// <summary>The statement with its tables named for <paramref name="generation"/>.</summary>
    public static string Resolve(string sql, int generation) =>
        ResolvedSql.GetOrAdd((sql, generation), key =>
            key.Sql.Replace("_{g}", "_g" + key.Generation.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));

    private static NpgsqlBatchCommand Command(string sql, params object?[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in parameters)
            command.Parameters.Add(new NpgsqlParameter { Value = Normalize(value) });
        return command;
    }

    // timestamptz takes only UTC offsets in Npgsql; a null is SQL NULL.
    private static object Normalize(object? value) => value switch
    {
        null => DBNull.Value,
        DateTimeOffset t => t.ToUniversalTime(),
        _ => value,
    };
}

/// <summary>The checkpoint moved away from where the batch started: the batch was rolled back, nothing applied.</summary>
internal sealed class CheckpointMovedException(Checkpoint from, Exception inner)
    : Exception($"The checkpoint of {from.Name} g{from.Generation} is no longer at {from.Position}.", inner);

/// <summary>
/// The statement of the event at <see cref="Index"/> in the batch failed (-1: of some event in it); the whole batch
/// was rolled back.
/// </summary>
internal sealed class EventApplyException(int index, Exception inner) : Exception(inner.Message, inner)
{
    public int Index { get; } = index;
}

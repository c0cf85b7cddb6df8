using System.Collections.Concurrent;
using System.Globalization;
using Ledger.EventStore;
using Npgsql;

namespace Ledger.Projections.Daemon;

/// <summary>
/// Applies a run of events to one generation in the caller's transaction, in one round trip: the checkpoint's advance
/// first (so a batch that lost its checkpoint fails before writing), then per event the tenant setting (when it
/// changes) and the event's statement.
/// </summary>
internal static class BatchApplier
{
    public const string CheckpointMovedState = "LP409";

    private static readonly ConcurrentDictionary<(string Sql, int Generation), string> ResolvedSql = new();

    public static async Task ApplyAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Checkpoint from,
        IReadOnlyList<RecordedEvent> events, IReadOnlyList<ProjectionStatement?> statements, CancellationToken ct)
    {
        using var span = Ledger.EventStore.Telemetry.LedgerTelemetry.StartProjectionBatch(from.Name, events.Count);
        await using var batch = new NpgsqlBatch(connection, transaction);
        var last = events[^1];
        batch.BatchCommands.Add(Command("SELECT projection_advance($1, $2, $3, $4, $5, $6, $7, $8)",
            from.Name, from.Generation, Checkpoint.Text(from.Position.TxId), from.Position.Seq,
            Checkpoint.Text(last.Position.TxId), last.Position.Seq, (long)events.Count, last.RecordedAt.ToUniversalTime()));

        // Which event each command belongs to, to name the event when a statement fails.
        var eventOfCommand = new List<int> { -1 };
        string? tenant = null;
        for (var i = 0; i < events.Count; i++)
        {
            if (statements[i] is not { } statement) continue;
            if (events[i].TenantId != tenant)
            {
                tenant = events[i].TenantId;
                batch.BatchCommands.Add(Command("SELECT set_config('ledger.tenant', $1, true)", tenant));
                eventOfCommand.Add(i);
            }
            batch.BatchCommands.Add(Command(Resolve(statement.Sql, from.Generation), [.. statement.Parameters]));
            eventOfCommand.Add(i);
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

using Ledger.EventStore;

namespace Ledger.Projections.Model;

/// <summary>
/// A read model: its tables, and for each event the one SQL statement that applies it, or null when the event does
/// not concern this model. Statements must be idempotent upserts that commute with one another: a stream's events
/// may be applied out of version order (a rebuild's catch-up, a live batch after a swap), and idempotence keeps any
/// replay harmless. <see cref="OnMarten.ReadModelProjection"/> runs it on Marten's async daemon.
/// </summary>
public interface IReadModel
{
    /// <summary>The name in the <c>projections</c> table, and the projection's name in Marten.</summary>
    string Name { get; }

    /// <summary>The base names of its tables (the views readers query), as its migration registers them.</summary>
    IReadOnlyList<string> Tables { get; }

    /// <summary>
    /// The event types it has statements for: Marten then loads only those for it (the others, audit entries first,
    /// are most of the ledger). Null: every event.
    /// </summary>
    IReadOnlyCollection<string>? EventTypes => null;

    /// <summary>
    /// The statement for <paramref name="recorded"/>. Table names in it end in <c>_{g}</c>: the live projection
    /// writes through the views (<c>orders_rm_{g}</c> becomes <c>orders_rm</c>), a rebuild into its generation's
    /// tables (<c>orders_rm_g2</c>). <c>ledger.tenant</c> is set to the event's tenant first, so row-level security
    /// admits the write.
    /// </summary>
    /// <exception cref="Exception">any exception means the event cannot be applied: the projection retries, then stops.</exception>
    ProjectionStatement? Apply(RecordedEvent recorded);
}

/// <summary>One SQL statement with positional parameters (<c>$1</c>, <c>$2</c>, …); a null parameter is SQL NULL.</summary>
public sealed class ProjectionStatement(string sql, params object?[] parameters)
{
    public string Sql { get; } = sql ?? throw new ArgumentNullException(nameof(sql));

    public IReadOnlyList<object?> Parameters { get; } = parameters ?? [];

    /// <summary>As a command of an Npgsql batch: a DateTimeOffset goes as UTC (timestamptz takes no other offset).</summary>
    public Npgsql.NpgsqlBatchCommand ToBatchCommand()
    {
        var command = new Npgsql.NpgsqlBatchCommand(Sql);
        foreach (var value in Parameters)
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = value switch { null => DBNull.Value, DateTimeOffset t => t.ToUniversalTime(), _ => value } });
        return command;
    }
}

using Ledger.EventStore;

namespace Ledger.Projections.Daemon;

/// <summary>
/// A read model kept up to date by the daemon: for each event, the one SQL statement that applies it, or null when
/// the event does not concern this model. Statements must be idempotent upserts that commute with one another: the
/// daemon applies each event once, but a stream's events may arrive out of version order (see
/// <c>0101_orders_read_model.sql</c>), and idempotence keeps any replay harmless.
/// </summary>
public interface IProjection
{
    /// <summary>The name in the <c>projections</c> table; its checkpoint, lease and views are found by it.</summary>
    string Name { get; }

    /// <summary>
    /// The statement for <paramref name="recorded"/>. Table names in it end in <c>_{g}</c>, which the daemon replaces
    /// with the generation it applies to (<c>orders_rm_{g}</c> becomes <c>orders_rm_g2</c>). The daemon sets
    /// <c>ledger.tenant</c> to the event's tenant first, so row-level security admits the write.
    /// </summary>
    /// <exception cref="Exception">any exception means the event cannot be applied: the projection retries, then stops.</exception>
    ProjectionStatement? Apply(RecordedEvent recorded);
}

/// <summary>One SQL statement with positional parameters (<c>$1</c>, <c>$2</c>, …); a null parameter is SQL NULL.</summary>
public sealed class ProjectionStatement(string sql, params object?[] parameters)
{
    public string Sql { get; } = sql ?? throw new ArgumentNullException(nameof(sql));

    public IReadOnlyList<object?> Parameters { get; } = parameters ?? [];
}

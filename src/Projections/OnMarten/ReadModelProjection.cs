using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using JasperFx.Events;
using Ledger.EventStore;
using Ledger.EventStore.MartenStore;
using Ledger.Projections.Model;
using Marten;
using Marten.Events.Projections;

namespace Ledger.Projections.OnMarten;

/// <summary>
/// A read model as a Marten projection on the async daemon. Marten hands it one tenant's share of each page of
/// events (in <c>seq_id</c> order) with that tenant's operations; it queues the tenant setting, then the statements
/// of the model (<see cref="IReadModel"/>), those of one text folded into one set-based statement where
/// <see cref="SetBasedUpsert"/> can. Marten runs them in one transaction with the projection's progress, so a page is
/// applied whole or not at all, and the progress row is the read model's position.
/// <para>
/// The live projection writes through the views (<see cref="Generation"/> null), so a rebuild can swap generations
/// under it; a rebuild builds generation n as the projection's Marten version n, into that generation's tables.
/// Events an operator skipped (<see cref="ProjectionSkipList"/>) are passed over; any other failure stops the
/// projection (Marten pauses it; <see cref="ProjectionSupervisor"/> retries, then records it as failed).
/// </para>
/// </summary>
public sealed partial class ReadModelProjection : IProjection
{
    private static readonly ConcurrentDictionary<(string Sql, int? Generation), string> ResolvedSql = new();

    private readonly EventShapes _shapes;
    private readonly JsonSerializerOptions _json;

    public ReadModelProjection(IReadModel model, int? generation, EventShapes shapes, JsonSerializerOptions json, ProjectionSkipList skips, bool setBased = true)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Generation = generation;
        _shapes = shapes ?? throw new ArgumentNullException(nameof(shapes));
        _json = json ?? throw new ArgumentNullException(nameof(json));
        Skips = skips ?? throw new ArgumentNullException(nameof(skips));
        SetBased = setBased;
    }

    public IReadModel Model { get; }

    /// <summary>The generation this projection builds, or null for the live one (which writes through the views).</summary>
    public int? Generation { get; }

    public ProjectionSkipList Skips { get; }

    public bool SetBased { get; }

    /// <summary>The stored shapes of the events the model reads (none: every event), for Marten to load only those.</summary>
    public IEnumerable<Type> EventShapes => Model.EventTypes?.SelectMany(_shapes.ShapesOf) ?? [];

    /// <summary>Its shard in Marten's progress table (<c>mt_event_progression</c>).</summary>
    public string ShardName => ProjectionShards.Of(Model.Name, Generation);

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(events);
        var skipped = await Skips.CurrentAsync(cancellation);
        foreach (var statement in Statements(operations.TenantId, events, skipped))
        {
            var (sql, parameters) = Placeholders(statement.Sql, statement.Parameters);
            operations.QueueOperation(new StatementOperation(sql, parameters));
        }
        if (events.Count > 0) ProjectionMetrics.Applied(ShardName, events.Count, events[^1].Timestamp);
    }

    /// <summary>
    /// The commands that apply one tenant's <paramref name="events"/>: its <c>ledger.tenant</c> setting first, then
    /// the statements, their tables named for this projection's target.
    /// </summary>
    /// <exception cref="ReadModelApplyException">an event has no statement the model can give (it cannot be decoded, say).</exception>
    public IReadOnlyList<ProjectionStatement> Statements(string tenant, IReadOnlyList<IEvent> events, IReadOnlySet<Guid> skipped)
    {
        var statements = new List<ProjectionStatement>(events.Count);
        foreach (var e in events)
        {
            if (skipped.Contains(e.Id) || Ledger.EventStore.MartenStore.EventShapes.IsTombstone(e)) continue;
            ProjectionStatement? statement;
            try
            {
                statement = Model.Apply(_shapes.ToRecorded(e, _json));
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                throw new ReadModelApplyException(Model.Name, e.Id, e.Sequence, error);
            }
            if (statement is not null) statements.Add(statement);
        }
        if (statements.Count == 0) return [];

        var commands = new List<ProjectionStatement> { new("SELECT set_config('ledger.tenant', $1, true)", tenant) };
        foreach (var group in statements.GroupBy(s => s.Sql, StringComparer.Ordinal))
        {
            var rows = group.ToList();
            var sql = Resolve(group.Key);
            var upsert = SetBased && rows.Count > 1 ? SetBasedUpsert.Of(sql) : null;
            if (upsert?.Waves(rows) is { } waves)
            {
                foreach (var wave in waves)
                {
                    var command = wave.Count == 1 ? null : upsert.Command([.. wave.Select(i => rows[i])]);
                    commands.Add(command is null
                        ? new ProjectionStatement(sql, [.. rows[wave[0]].Parameters])
                        : new ProjectionStatement(command.CommandText, [.. command.Parameters.Select(p => p.Value)]));
                }
            }
            else
            {
                commands.AddRange(rows.Select(row => new ProjectionStatement(sql, [.. row.Parameters])));
            }
        }
        return commands;
    }

    /// <summary>The statement with its tables named for this projection's target: the views, or a generation's tables.</summary>
    public string Resolve(string sql) =>
        ResolvedSql.GetOrAdd((sql, Generation), key => key.Sql.Replace("_{g}",
            key.Generation is { } g ? "_g" + g.ToString(CultureInfo.InvariantCulture) : "", StringComparison.Ordinal));

    /// <summary>
    /// <c>$n</c> parameters as Marten's <c>?</c> placeholders, one value per occurrence; a DateTimeOffset goes as UTC
    /// (Npgsql's timestamptz takes no other offset); <see cref="StatementOperation"/> sends a null as SQL NULL.
    /// </summary>
    internal static (string Sql, object?[] Parameters) Placeholders(string sql, IReadOnlyList<object?> parameters)
    {
        var values = new List<object?>();
        var text = Parameter().Replace(sql, m =>
        {
            values.Add(parameters[int.Parse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture) - 1] switch
            {
                DateTimeOffset t => t.ToUniversalTime(),
                var value => value,
            });
            return "?";
        });
        return (text, [.. values]);
    }

    [GeneratedRegex(@"\$([1-9][0-9]*)", RegexOptions.CultureInvariant)]
    private static partial Regex Parameter();
}

/// <summary>
/// An event a read model cannot turn into a statement (its data does not decode, say). Marten pauses the projection
/// on it; the message names the event, never its data.
/// </summary>
public sealed class ReadModelApplyException(string projection, Guid eventId, long sequence, Exception inner)
    : Exception($"Projection {projection} cannot apply event {eventId} at {sequence}: {inner.GetType().Name}", inner)
{
    public Guid EventId { get; } = eventId;

    public long Sequence { get; } = sequence;
}

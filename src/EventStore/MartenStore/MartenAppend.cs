using System.Text.Json;
using JasperFx.Events;
using Marten;
using Marten.Exceptions;
using Npgsql;

namespace Ledger.EventStore.MartenStore;

/// <summary>
/// One Ledger append staged on a Marten session: every stream with its expected version, every event as its stored
/// shape with Ledger's id, time and metadata. Marten writes them with Quick append when the session saves, checking
/// each expected version in the database (<c>mt_quick_append_events</c> locks the stream row and compares).
/// </summary>
public sealed class MartenAppend
{
    private readonly List<(StreamAppend Stream, IReadOnlyList<IEvent> Events)> staged = [];

    private MartenAppend(string tenantId) => TenantId = tenantId;

    public string TenantId { get; }

    internal static MartenAppend Stage(IDocumentSession session, string tenantId, IReadOnlyList<StreamAppend> streams,
        EventShapes shapes, JsonSerializerOptions json)
    {
        var append = new MartenAppend(tenantId);
        foreach (var stream in streams)
        {
            var events = stream.Events.Select(e => Build(session, e, shapes, json)).ToArray();
            if (stream.Expected.IsAny)
                session.Events.Append(stream.StreamId, events);
            else
                // Marten's expected version is the stream's version once these events are in.
                session.Events.Append(stream.StreamId, stream.Expected.Value + events.Length, events);
            append.staged.Add((stream, events));
        }
        return append;
    }

    internal static IEvent Build(IDocumentSession session, EventToAppend e, EventShapes shapes, JsonSerializerOptions json)
    {
        var built = session.Events.BuildEvent(shapes.ToShape(e, json));
        built.Id = e.EventId;
        built.Timestamp = Chain.LedgerRecord.TruncateToMicroseconds(e.OccurredAt);
        built.CorrelationId = e.Metadata.CorrelationId;
        built.CausationId = e.Metadata.CausationId;
        built.SetHeader("actor", e.Metadata.Actor);
        built.SetHeader("origin", e.Metadata.Origin);
        if (e.Metadata.TraceId is not null) built.SetHeader("trace_id", e.Metadata.TraceId);
        return built;
    }

    /// <summary>After the save: each stream's new version and the global position of the last event, as Marten assigned them.</summary>
    public AppendResult Result()
    {
        var versions = staged.ToDictionary(s => s.Stream.StreamId, s => s.Events[^1].Version);
        var last = staged.SelectMany(s => s.Events).Max(e => e.Sequence);
        return new AppendResult(versions, new GlobalPosition(last));
    }

    /// <summary>
    /// Whether a failed save was a conflict: an expected version that did not hold (Marten's <c>MT003</c>), or a writer
    /// that took the same stream or stream version first.
    /// </summary>
    internal static bool IsConflict(Exception error) =>
        Find<EventStreamUnexpectedMaxEventIdException>(error) is not null
        || Find<Marten.Exceptions.ExistingStreamIdCollisionException>(error) is not null
        || Find<PostgresException>(error) is { SqlState: "MT003" }
            or { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: StreamVersionKey or StreamKey };

    // Marten's keys on a stream version and on a stream: a writer that got there first. (Its unique event id index is
    // not a conflict: an event id appended twice is a caller's mistake, and its error is left as it is.)
    private const string StreamVersionKey = "pk_mt_events_stream_and_version";
    private const string StreamKey = "pkey_mt_streams_tenant_id_id";

    /// <summary>The <see cref="ConcurrencyException"/> a conflicting save (<see cref="IsConflict"/>) means.</summary>
    internal async Task<ConcurrencyException> ConflictAsync(NpgsqlDataSource reads, CancellationToken ct)
    {
        // The stream that conflicted: the one Marten names, else the first whose expected version no longer holds.
        var current = await VersionsAsync(reads, ct);
        var stream = staged.Select(s => s.Stream)
            .FirstOrDefault(s => !s.Expected.IsAny && current.GetValueOrDefault(s.StreamId) != s.Expected.Value)
            ?? staged[0].Stream;
        return new ConcurrencyException(TenantId, stream.StreamId, stream.Expected, current.GetValueOrDefault(stream.StreamId));
    }

    private async Task<Dictionary<string, long>> VersionsAsync(NpgsqlDataSource reads, CancellationToken ct)
    {
        await using var command = reads.CreateCommand("SELECT id, version FROM mt_streams WHERE tenant_id = $1 AND id = ANY($2)");
        command.Parameters.Add(new() { Value = TenantId });
        command.Parameters.Add(new() { Value = staged.Select(s => s.Stream.StreamId).ToArray() });
        var versions = new Dictionary<string, long>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) versions[reader.GetString(0)] = reader.GetInt64(1);
        return versions;
    }

    private static T? Find<T>(Exception? error) where T : Exception
    {
        for (; error is not null; error = error.InnerException)
            if (error is T found) return found;
        return null;
    }
}

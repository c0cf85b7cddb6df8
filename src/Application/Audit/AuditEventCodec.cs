using System.Text.Json;
using Ledger.Application.Json;
using Ledger.EventStore;

namespace Ledger.Application.Audit;

/// <summary>
/// The stored form of an audit entry: event type <c>ledger.audit.command_recorded</c>, version 1, data in snake_case
/// (docs/audit-trail.md lists every member). Written out here, never derived from CLR names.
/// </summary>
public static class AuditEventCodec
{
    public const string CommandRecorded = "ledger.audit.command_recorded";
    public const int Version = 1;

    /// <summary>The stored shape of each event type and version this codec writes: how Marten stores and names them.</summary>
    public static IEnumerable<(string EventType, int TypeVersion, Type Shape)> StoredShapes { get; } =
        [(CommandRecorded, Version, typeof(CommandRecordedV1))];

    public static EncodedEvent Encode(CommandAuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new EncodedEvent(CommandRecorded, Version, JsonSerializer.SerializeToElement(CommandRecordedV1.From(entry), LedgerJson.Options));
    }

    /// <summary>The audit entry as an event of the command's context: same actor, correlation and trace as its events.</summary>
    public static EventToAppend ToAppend(CommandAuditEntry entry, CommandContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var encoded = Encode(entry);
        return new EventToAppend(
            Guid.CreateVersion7(context.Now), encoded.EventType, encoded.TypeVersion, context.Now, encoded.Data,
            new EventMetadata(context.CorrelationId, context.CausationId, context.Actor, context.TraceId, context.Origin));
    }

    /// <exception cref="UnknownAuditEventException">the event is not an audit entry of a version this codec reads.</exception>
    public static CommandAuditEntry Decode(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        if (recorded.EventType != CommandRecorded || recorded.TypeVersion != Version)
            throw new UnknownAuditEventException(recorded.EventType, recorded.TypeVersion);
        var data = recorded.Data.Deserialize<CommandRecordedV1>(LedgerJson.Options)
            ?? throw new JsonException($"Event {recorded.EventId} has no audit data.");
        return data.ToEntry();
    }

    private sealed record CommandRecordedV1(
        string Action,
        string Entity,
        AuditResult Result,
        ClientV1 Client,
        int? Status = null,
        string? Code = null,
        IReadOnlyList<StreamV1>? Streams = null)
    {
        public static CommandRecordedV1 From(CommandAuditEntry e) => new(
            e.Action, e.Entity, e.Result, new ClientV1(e.Client.Address, e.Client.UserAgent), e.Status, e.Code,
            e.Streams is { Count: > 0 } streams ? [.. streams.Select(s => new StreamV1(s.StreamId, s.Version))] : null);

        public CommandAuditEntry ToEntry() => new(
            Action, Entity, Result, Status, Code,
            Streams?.Select(s => new AuditedStream(s.StreamId, s.Version)).ToList(),
            new AuditClient(Client.Address, Client.UserAgent));
    }

    private sealed record StreamV1(string StreamId, long Version);

    private sealed record ClientV1(string? Address = null, string? UserAgent = null);
}

public sealed class UnknownAuditEventException(string eventType, int typeVersion)
    : Exception($"'{eventType}' v{typeVersion} is not an audit entry this codec reads.");

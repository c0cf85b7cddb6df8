using System.Diagnostics;
using Ledger.Application.Audit;
using Ledger.Application.Json;
using Ledger.EventStore;

namespace Ledger.Application.Invoicing;

/// <summary>Wraps encoded fiscal events with their id, time and metadata for the store.</summary>
internal static class FiscalEvents
{
    /// <summary>An event caused by a command: the command's time, actor, correlation and origin.</summary>
    public static EventToAppend ToAppend(EncodedEvent e, CommandContext context) => new(
        Guid.CreateVersion7(), e.EventType, e.TypeVersion, context.Now, e.Data,
        new EventMetadata(context.CorrelationId, context.CausationId, context.Actor, context.TraceId, context.Origin));

    /// <summary>An event of a background process (stamping): its own actor and a fresh correlation id.</summary>
    public static EventToAppend ToAppend(EncodedEvent e, string actor, DateTimeOffset now) => new(
        Guid.CreateVersion7(), e.EventType, e.TypeVersion, now, e.Data,
        new EventMetadata(Guid.NewGuid().ToString("N"), null, actor, Activity.Current?.TraceId.ToHexString(), "stamping"));

    /// <summary>The streams an append writes, at their versions once it is in: what the command's audit entry lists.</summary>
    public static IReadOnlyList<AuditedStream> Written(IReadOnlyList<StreamAppend> appends) =>
        [.. appends.Select(a => new AuditedStream(a.StreamId, a.Expected.Value + a.Events.Count))];
}

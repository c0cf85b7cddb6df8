using System.Text.Json;
using Ledger.Application.Json;
using Ledger.Domain.Invoicing;
using Ledger.EventStore;

namespace Ledger.Application.Invoicing.Events;

internal sealed record NumberAssignedV1(string Series, long Sequence, string Number, Guid DocumentId, DateTimeOffset AssignedAt)
{
    public static NumberAssignedV1 From(NumberAssigned e) => new(e.Series, e.Sequence, e.Number.Text, e.DocumentId, e.AssignedAt);
    public NumberAssigned ToEvent() => new(Series, Sequence, DocumentId, AssignedAt);
}

/// <summary>Numbering series events: one per number given, in the series' own stream.</summary>
public static class NumberingEventCodec
{
    public const string Assigned = "fiscal.series.number_assigned";

    /// <summary>The stored shape of each event type and version this codec writes: how Marten stores and names them.</summary>
    public static IEnumerable<(string EventType, int TypeVersion, Type Shape)> StoredShapes { get; } = [(Assigned, 1, typeof(NumberAssignedV1))];

    public static IReadOnlyList<string> EventTypes { get; } = [Assigned];

    public static EncodedEvent Encode(NumberAssigned e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return FiscalJson.Write(Assigned, NumberAssignedV1.From(e));
    }

    public static NumberAssigned Decode(RecordedEvent recorded) => FiscalJson.Decode(recorded, Decode);

    public static NumberAssigned Decode(string eventType, int typeVersion, JsonElement data) => (eventType, typeVersion) switch
    {
        (Assigned, 1) => FiscalJson.Read<NumberAssignedV1>(data).ToEvent(),
        _ => throw FiscalJson.Unknown(eventType, typeVersion),
    };
}

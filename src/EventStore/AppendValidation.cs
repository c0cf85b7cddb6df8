using System.Text.Json;

namespace Ledger.EventStore;

/// <summary>Refuses an append that could never be right, before it reaches the database.</summary>
internal static class AppendValidation
{
    public const int MaxIdLength = 200;

    public static void Check(string tenantId, IReadOnlyList<StreamAppend> streams)
    {
        Require(!string.IsNullOrWhiteSpace(tenantId) && tenantId.Length <= MaxIdLength, "a tenant id is required (at most 200 characters)");
        Require(streams.Count > 0, "an append needs at least one stream");
        Require(streams.Select(s => s.StreamId).Distinct(StringComparer.Ordinal).Count() == streams.Count,
            "a stream may appear only once in an append");
        foreach (var stream in streams)
        {
            Require(!string.IsNullOrWhiteSpace(stream.StreamId) && stream.StreamId.Length <= MaxIdLength, "a stream id is required (at most 200 characters)");
            Require(stream.Events.Count > 0, $"stream '{stream.StreamId}' has no events to append");
            foreach (var e in stream.Events)
            {
                Require(!string.IsNullOrWhiteSpace(e.EventType), "an event type is required");
                Require(e.TypeVersion > 0, "an event type version starts at 1");
                Require(e.Data.ValueKind == JsonValueKind.Object, "event data must be a JSON object");
                Require(e.EventId != Guid.Empty, "an event id is required");
            }
        }
    }

    private static void Require(bool condition, string message)
    {
        if (!condition) throw new ArgumentException(message);
    }
}

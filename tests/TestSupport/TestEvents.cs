using System.Text.Json;
using Ledger.EventStore;

namespace Ledger.TestSupport;

/// <summary>Small helpers to build events for store tests.</summary>
public static class TestEvents
{
    public static EventToAppend Event(string type = "test.thing.happened", object? data = null, int version = 1) => new(
        Guid.CreateVersion7(), type, version, DateTimeOffset.UtcNow,
        JsonSerializer.SerializeToElement(data ?? new { value = Guid.NewGuid().ToString("N") }),
        new EventMetadata(Guid.NewGuid().ToString("N"), null, "test-actor", null, "test"));

    public static StreamAppend To(string streamId, ExpectedVersion expected, params EventToAppend[] events) =>
        new(streamId, expected, events);
}

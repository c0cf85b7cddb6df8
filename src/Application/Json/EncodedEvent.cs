using System.Text.Json;

namespace Ledger.Application.Json;

/// <summary>An event as the store keeps it: its type name, the version of that type's data shape, and the data.</summary>
public sealed record EncodedEvent(string EventType, int TypeVersion, JsonElement Data);

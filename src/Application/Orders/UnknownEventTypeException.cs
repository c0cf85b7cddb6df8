namespace Ledger.Application.Orders;

/// <summary>
/// A stored event whose type name and version no codec here knows: written by a newer Ledger, or a v2 that has no
/// upcaster yet. Reading stops rather than skipping it, because folding a stream without one of its events would
/// decide against a wrong state.
/// </summary>
public sealed class UnknownEventTypeException(string eventType, int typeVersion)
    : Exception($"Unknown event type '{eventType}' version {typeVersion}: no codec reads it.")
{
    public string EventType { get; } = eventType;
    public int TypeVersion { get; } = typeVersion;
}

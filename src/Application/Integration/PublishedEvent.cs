using System.Text.Json;

namespace Ledger.Application.Integration;

/// <summary>A stored event as other systems receive it: the contract's name and version, and its payload.</summary>
public sealed record PublishedEvent(string Name, int Version, JsonElement Payload)
{
    /// <summary>The message type (routing key, schema file name): <c>commerce.order.paid.v1</c>.</summary>
    public string MessageType => $"{Name}.v{Version}";
}

/// <summary>
/// One declared publication: stored events of <paramref name="StoredType"/> version <paramref name="StoredVersion"/>
/// leave Ledger as contract <paramref name="Name"/> v<paramref name="Version"/>, with the payload <paramref name="Payload"/> makes.
/// </summary>
public sealed record Publication(string StoredType, int StoredVersion, string Name, int Version, Func<EventStore.RecordedEvent, JsonElement> Payload)
{
    public string MessageType => $"{Name}.v{Version}";
}

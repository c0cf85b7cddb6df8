using System.Globalization;
using System.Text.Json;

namespace Ledger.Messaging.Contracts;

/// <summary>
/// An event as other systems see it: the contract's name and version, and its payload (a JSON object).
/// It is what a stored event is published as, chosen and shaped by the application's catalogue.
/// </summary>
public sealed record IntegrationEvent(string Name, int Version, JsonElement Payload)
{
    /// <summary>The AMQP routing key and <c>type</c>: <c>commerce.order.paid.v1</c>.</summary>
    public string MessageType => MessageTypes.Of(Name, Version);
}

/// <summary>Message types are contract names with their version: <c>name.vN</c>, one JSON Schema per type.</summary>
public static class MessageTypes
{
    public static string Of(string name, int version) => string.Create(CultureInfo.InvariantCulture, $"{name}.v{version}");

    public static bool TryParse(string? messageType, out string name, out int version)
    {
        name = "";
        version = 0;
        var dot = messageType?.LastIndexOf(".v", StringComparison.Ordinal) ?? -1;
        if (dot <= 0
            || !int.TryParse(messageType.AsSpan(dot + 2), NumberStyles.None, CultureInfo.InvariantCulture, out version)
            || version < 1)
            return false;
        name = messageType![..dot];
        return true;
    }
}

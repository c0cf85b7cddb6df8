using System.Text.Json;

namespace Ledger.EventStore.Canonical;

/// <summary>
/// Thrown when a JSON value has no RFC 8785 canonical form: it is not I-JSON (duplicate property names,
/// lone surrogates, numbers outside the IEEE-754 double range).
/// </summary>
/// <remarks>
/// Derives from <see cref="JsonException"/> so that callers can handle "this is not acceptable JSON" in one
/// place: malformed text (reported by System.Text.Json's reader) and JSON that cannot be canonicalized.
/// </remarks>
public sealed class JsonCanonicalizationException : JsonException
{
    public JsonCanonicalizationException(string message)
        : base(message)
    {
    }

    public JsonCanonicalizationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

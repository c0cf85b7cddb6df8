using Wolverine;
using Wolverine.Runtime.Serialization;

namespace Ledger.Messaging.Outbox;

/// <summary>
/// The body of a published message is the integration envelope's JSON exactly as Ledger wrote it
/// (<see cref="Contracts.IntegrationEnvelope.ToUtf8Json"/>), never Wolverine's serialization of the
/// <see cref="IntegrationMessage"/> object: the bytes are made once, stored in the outbox as they are, and sent as they are.
/// </summary>
public sealed class IntegrationMessageSerializer : IMessageSerializer
{
    public const string JsonContentType = "application/json";

    public string ContentType => JsonContentType;

    public byte[] Write(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return WriteMessage(envelope.Message!);
    }

    public byte[] WriteMessage(object message) => message is IntegrationMessage integration
        ? integration.Body
        : throw new InvalidOperationException($"Only {nameof(IntegrationMessage)}s are published to the integration exchange, not {message?.GetType().Name ?? "null"}.");

    /// <summary>An envelope read back from the outbox table: its stored headers say what the message was.</summary>
    public object ReadFromData(Type messageType, Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return IntegrationMessage.FromStored(envelope.Headers, envelope.Data ?? []);
    }

    public object ReadFromData(byte[] data) =>
        throw new NotSupportedException("An integration message is read back with its envelope's headers.");
}

using Wolverine;
using Wolverine.Runtime.Serialization;

namespace Ledger.Messaging.Outbox;

/// <summary>
/// The body of a published message is the integration envelope's JSON exactly as Ledger wrote it
/// (<see cref="Contracts.IntegrationEnvelope.ToUtf8Json"/>), never Wolverine's serialization of the
/// <see cref="IntegrationMessage"/> object: the bytes are made once and sent as they are.
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

    /// <summary>Never called: the outbox sends inline and stores no envelope, so nothing is read back.</summary>
    public object ReadFromData(Type messageType, Envelope envelope) =>
        throw new NotSupportedException("Ledger's outbox stores no envelope; an integration message is never read back.");

    public object ReadFromData(byte[] data) =>
        throw new NotSupportedException("Ledger's outbox stores no envelope; an integration message is never read back.");
}

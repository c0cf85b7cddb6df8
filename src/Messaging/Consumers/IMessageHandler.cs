using Ledger.Messaging.Contracts;
using Npgsql;

namespace Ledger.Messaging.Consumers;

/// <summary>
/// Applies one inbound message. It runs inside the consumer's inbox transaction: every write goes through
/// <see cref="MessageTransaction"/>, so the effects and the inbox row commit together or not at all.
/// Throw to fail the message: <see cref="MessageRejectedException"/> (or what the consumer declares permanent)
/// dead-letters it at once, anything else is retried.
/// </summary>
public interface IMessageHandler
{
    Task HandleAsync(InboundMessage message, MessageTransaction transaction, CancellationToken ct);
}

/// <summary>
/// A validated inbound message. <see cref="Attempt"/> is 1 on the first delivery; <see cref="TraceId"/> comes from
/// the <c>traceparent</c> header, else the envelope.
/// </summary>
public sealed record InboundMessage(IntegrationEnvelope Envelope, string MessageId, int Attempt, string? TraceId)
{
    public string MessageType => Envelope.MessageType;
}

/// <summary>The inbox transaction a handler writes in (an open connection with its transaction begun).</summary>
public sealed record MessageTransaction(NpgsqlConnection Connection, NpgsqlTransaction Transaction);

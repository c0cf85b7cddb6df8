using System.Text.Json;
using Ledger.Application.Orders;
using Ledger.Application.Payments;
using Ledger.Messaging.Contracts;
using Wolverine;

namespace Ledger.Host.Messaging.Inbound;

/// <summary>
/// The payment gateway's results applied as order commands (<see cref="PaymentResultCommands"/>). The command's tenant
/// is the envelope's (a trusted service on the internal broker); its actor the envelope's actor, else the producing
/// system; its causation the message id, so every resulting event names the message that caused it.
/// </summary>
public static class PaymentResultsHandler
{
    public static Task HandleAsync(PaymentResultReceived message, Envelope envelope, InboundCommands commands, TimeProvider clock, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(commands);
        var payload = message.Envelope.Payload;
        if (!payload.TryGetProperty("order_id", out var id) || !id.TryGetGuid(out var orderId))
            throw new MessageRejectedException("invalid_payload", "The payment message names no order.");
        var context = InboundCommands.ContextOf(message, message.Envelope.Actor ?? message.Envelope.Producer, clock);
        return commands.RunAsync(InboundConsumers.Payments, envelope, message, context, OrderStreams.For(orderId), (work, token) =>
        {
            DecideOrder command;
            try
            {
                command = PaymentResultCommands.CommandFor(context, message.MessageType, payload);
            }
            catch (JsonException e)
            {
                throw new MessageRejectedException("invalid_payload", $"The payload is not a {message.MessageType}: {e.Message}", e);
            }
            return work.DecideAsync(command, token);
        }, ct);
    }
}

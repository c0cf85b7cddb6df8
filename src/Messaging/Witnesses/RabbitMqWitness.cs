using Ledger.Messaging.Outbox;
using Wolverine;
using Wolverine.Runtime;

namespace Ledger.Messaging.Witnesses;

/// <summary>
/// The integration exchange as a witness: each checkpoint is published as <c>ledger.checkpoint.signed.v1</c>
/// (schemas/ledger.checkpoint.signed.v1.json) through the outbox's own Wolverine route (<see cref="LedgerOutbox.PublishTo"/>:
/// the durable topic exchange, publisher confirms, Ledger's body and AMQP properties), so any system bound to it can keep
/// Ledger's checkpoints. A send the broker did not confirm fails the delivery, which is tried again later; the event id
/// is derived from tenant and position, so the copies a retry may make share one <c>message_id</c>.
/// </summary>
public sealed class RabbitMqWitness(IWolverineRuntime runtime, MessagingSettings settings) : ICheckpointWitness
{
    public string Name => "rabbitmq:" + settings.Exchange;

    public async Task<string?> DeliverAsync(WitnessedCheckpoint checkpoint, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var message = checkpoint.Message(settings.Producer);
        await new MessageBus(runtime).PublishAsync(message);
        if (OutboxSendFailures.Take(message) is { } failure)
            throw new IOException($"the broker did not confirm {WitnessedCheckpoint.MessageType} for tenant {checkpoint.TenantId} at {checkpoint.ChainSeq}", failure);
        return null;
    }
}

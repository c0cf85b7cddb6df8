using JasperFx.CodeGeneration;
using Ledger.Application;
using Ledger.Domain;
using Ledger.Messaging;
using Ledger.Messaging.Contracts;
using Wolverine.Configuration;
using Wolverine.ErrorHandling;
using Wolverine.Runtime.Handlers;
using JasperFx;

namespace Ledger.Host.Messaging.Inbound;

/// <summary>
/// What happens to an inbound message whose handling failed, on the consumers' chains only:
/// <list type="bullet">
/// <item>refused (<see cref="DomainError"/>, <see cref="ValidationError"/>) or rejected (<see cref="MessageRejectedException"/>:
/// not JSON, not its schema, a payload without its order): to the dead letters at once, with the stable code in the
/// envelope's <see cref="InboundHeaders.ErrorCode"/> header;</item>
/// <item>the database unreachable: waited out and tried again, every <see cref="ConsumerSettings.OutageRetryDelay"/>, for
/// as long as the outage lasts — not the message's fault, so never dead-lettered for it;</item>
/// <item>anything else (a timeout, a conflict that kept happening): retried in place after each cooldown of
/// <see cref="InboundRetries"/>, then to the dead letters with the error.</item>
/// </list>
/// A message Wolverine cannot read (<see cref="InboundSerializer"/>) never reaches these rules: Wolverine dead-letters
/// it at once.
/// </summary>
internal sealed class InboundErrorPolicy(ConsumerSettings settings) : IHandlerPolicy
{
    public void Apply(IReadOnlyList<HandlerChain> chains, GenerationRules rules, IServiceContainer container)
    {
        var retries = new InboundRetries(settings);
        foreach (var chain in chains.Where(c => typeof(InboundMessage).IsAssignableFrom(c.MessageType)))
        {
            chain.OnException<MessageRejectedException>().Or<DomainError>().Or<ValidationError>().MoveToErrorQueue();
            chain.OnException(DatabaseOutage.Is, "the database is unreachable").CustomActionIndefinitely(async (runtime, lifecycle, _) =>
            {
                // Not an attempt of the message's: the count stays where it was, so an outage never dead-letters it.
                lifecycle.Envelope!.Attempts = Math.Max(0, lifecycle.Envelope.Attempts - 1);
                await Task.Delay(retries.OutageDelay, runtime.Cancellation);
                await lifecycle.RetryExecutionNowAsync();
            }, "wait out the database outage, then try again");
            if (retries.MaxAttempts > 1)
                chain.OnException<Exception>().RetryWithCooldown(retries.Cooldowns).Then.MoveToErrorQueue();
            else
                chain.OnException<Exception>().MoveToErrorQueue();
        }
    }
}

using System.Runtime.CompilerServices;
using Wolverine;
using Wolverine.ErrorHandling;

namespace Ledger.Messaging.Outbox;

/// <summary>
/// Makes a failed send visible to the page that published it. Wolverine 6.64.2's inline sending agent does not throw a
/// failed send to its caller (its retry block logs it, retries it three times in the background and then discards it;
/// only a <c>SendRejectedException</c>, which the RabbitMQ sender never throws, reaches the caller). A page whose send
/// returned normally but never reached the broker would move the shard past a lost message, so every send failure on
/// the integration exchange goes through this sending-failure rule instead: it records the failure against the
/// message and ends that send (no background retry; the page is published again as a whole).
/// </summary>
public static class OutboxSendFailures
{
    private static readonly ConditionalWeakTable<IntegrationMessage, Exception> Failures = new();

    public static void Configure(SendingFailurePolicies policies)
    {
        ArgumentNullException.ThrowIfNull(policies);
        policies.OnAnyException().CustomActionIndefinitely((_, lifecycle, exception) =>
        {
            if (lifecycle.Envelope?.Message is IntegrationMessage message) Failures.AddOrUpdate(message, exception);
            return ValueTask.CompletedTask;
        }, "fail the outbox page that published the message");
    }

    /// <summary>The failure recorded for <paramref name="message"/>'s send, if any (and forgets it).</summary>
    public static Exception? Take(IntegrationMessage message)
    {
        if (!Failures.TryGetValue(message, out var failure)) return null;
        Failures.Remove(message);
        return failure;
    }
}

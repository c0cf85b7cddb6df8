using System.Collections.Concurrent;
using Ledger.Messaging.Consumers;

namespace Ledger.Messaging.Tests.Infrastructure;

/// <summary>Wraps a handler so that its first <paramref name="failures"/> attempts of each message fail transiently.</summary>
public sealed class FlakyHandler(IMessageHandler inner, int failures) : IMessageHandler
{
    private readonly ConcurrentQueue<int> attempts = new();

    public IReadOnlyList<int> Attempts => [.. attempts];

    public Task HandleAsync(InboundMessage message, MessageTransaction transaction, CancellationToken ct)
    {
        attempts.Enqueue(message.Attempt);
        return message.Attempt <= failures
            ? throw new TimeoutException($"the payment service did not answer (attempt {message.Attempt})")
            : inner.HandleAsync(message, transaction, ct);
    }
}

using RabbitMQ.Client;

namespace Ledger.Messaging.Broker;

/// <summary>Declares the exchange and a consumer's queues; idempotent, so every process declares on connect.</summary>
public static class BrokerTopology
{
    public static Task DeclareExchangeAsync(IChannel channel, string exchange, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(channel);
        return channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: ct);
    }

    /// <summary>
    /// The consumer's durable queue bound to <paramref name="exchange"/> by each routing key, its dead-letter queue,
    /// and one delay queue per retry delay: a message published there waits its TTL out, then the broker
    /// dead-letters it through the default exchange straight back into the consumer's queue.
    /// </summary>
    public static async Task DeclareConsumerAsync(IChannel channel, string exchange, ConsumerQueues queues,
        IEnumerable<string> routingKeys, IEnumerable<TimeSpan> retryDelays, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(queues);
        await DeclareExchangeAsync(channel, exchange, ct).ConfigureAwait(false);
        await channel.QueueDeclareAsync(queues.Main, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct).ConfigureAwait(false);
        foreach (var key in routingKeys)
            await channel.QueueBindAsync(queues.Main, exchange, key, cancellationToken: ct).ConfigureAwait(false);
        await channel.QueueDeclareAsync(queues.DeadLetters, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct).ConfigureAwait(false);
        foreach (var delay in retryDelays.Distinct())
        {
            var arguments = new Dictionary<string, object?>
            {
                ["x-message-ttl"] = (long)delay.TotalMilliseconds,
                ["x-dead-letter-exchange"] = "",
                ["x-dead-letter-routing-key"] = queues.Main,
            };
            await channel.QueueDeclareAsync(queues.Retry(delay), durable: true, exclusive: false, autoDelete: false,
                arguments, cancellationToken: ct).ConfigureAwait(false);
        }
    }
}

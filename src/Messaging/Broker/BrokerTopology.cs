using RabbitMQ.Client;

namespace Ledger.Messaging.Broker;

/// <summary>Declares the exchange the relay publishes to; idempotent, so every process declares on connect.</summary>
public static class BrokerTopology
{
    public static Task DeclareExchangeAsync(IChannel channel, string exchange, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(channel);
        return channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: ct);
    }
}

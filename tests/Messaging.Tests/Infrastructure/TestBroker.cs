using Ledger.Messaging;
using Ledger.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;

namespace Ledger.Messaging.Tests.Infrastructure;

/// <summary>
/// The test RabbitMQ (scripts/rabbitmq.sh, or LEDGER_RABBITMQ), with names of its own: each instance uses its own
/// exchange and queue prefix, so test classes share the broker without seeing each other's messages. Everything
/// it declared is deleted on dispose.
/// </summary>
public sealed class TestBroker : IAsyncDisposable
{
    private readonly List<string> queues = [];
    private readonly string id = Guid.NewGuid().ToString("N")[..12];

    public TestBroker(string? virtualHost = null)
    {
        var uri = new UriBuilder(ServerUri);
        if (virtualHost is not null) uri.Path = "/" + Uri.EscapeDataString(virtualHost);
        Uri = uri.Uri;
        Settings = new MessagingSettings
        {
            Exchange = $"test.{id}.events",
            QueuePrefix = $"test.{id}.",
            ClientName = "ledger-test",
            Heartbeat = TimeSpan.FromSeconds(5),
        };
    }

    public static Uri ServerUri => TestServers.RabbitMq;

    public Uri Uri { get; }

    /// <summary>This broker's address through <paramref name="proxy"/> (same credentials and virtual host).</summary>
    public Uri Through(TcpProxy proxy) => new UriBuilder(Uri) { Host = "127.0.0.1", Port = proxy.Port }.Uri;

    public MessagingSettings Settings { get; }

    /// <summary>A queue bound to this broker's exchange, collecting what arrives (an "other system").</summary>
    public async Task<TestQueue> BindQueueAsync(params string[] routingKeys)
    {
        var name = $"{Settings.QueuePrefix}observer.{queues.Count}";
        queues.Add(name);
        return await TestQueue.StartAsync(Uri, Settings.Exchange, name, routingKeys);
    }

    /// <summary>Publishes a raw message to the exchange (as the payment gateway would), with confirm.</summary>
    public async Task PublishAsync(string routingKey, byte[] body, string? messageId = null, string? type = null, IDictionary<string, object?>? headers = null)
    {
        await using var connection = await new ConnectionFactory { Uri = Uri }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        await channel.ExchangeDeclareAsync(Settings.Exchange, RabbitMQ.Client.ExchangeType.Topic, durable: true, autoDelete: false);
        var properties = new BasicProperties { MessageId = messageId, Type = type ?? routingKey, Persistent = true, ContentType = "application/json", Headers = headers };
        await channel.BasicPublishAsync(Settings.Exchange, routingKey, mandatory: false, properties, body);
    }

    /// <summary>Publishes straight into a queue (through the default exchange), with confirm.</summary>
    public async Task PublishToQueueAsync(string queue, byte[] body, string messageId, string type)
    {
        await using var connection = await new ConnectionFactory { Uri = Uri }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        var properties = new BasicProperties { MessageId = messageId, Type = type, Persistent = true, ContentType = "application/json" };
        await channel.BasicPublishAsync("", queue, mandatory: true, properties, body);
    }

    /// <summary>Messages waiting in a queue.</summary>
    public async Task<uint> CountAsync(string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = Uri }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        return await channel.MessageCountAsync(queue);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var connection = await new ConnectionFactory { Uri = Uri }.CreateConnectionAsync();
            foreach (var queue in queues.Distinct())
            {
                await using var channel = await connection.CreateChannelAsync();
                await channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false);
            }
            await using var last = await connection.CreateChannelAsync();
            await last.ExchangeDeleteAsync(Settings.Exchange, ifUnused: false);
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.RabbitMQClientException or IOException)
        {
            // Best effort: a vhost test deletes its whole vhost afterwards anyway.
        }
    }
}

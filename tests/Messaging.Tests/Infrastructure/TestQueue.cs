using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;

namespace Ledger.Messaging.Tests.Infrastructure;

/// <summary>A message as an outside system received it.</summary>
public sealed record ReceivedMessage(string RoutingKey, string? MessageId, string? Type, bool Persistent, IDictionary<string, object?> Headers, string Body)
{
    /// <summary>Every AMQP property as received, and the body's exact bytes (the wire contract).</summary>
    public IReadOnlyBasicProperties Properties { get; init; } = null!;

    public byte[] Bytes { get; init; } = [];

    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v switch { byte[] b => Encoding.UTF8.GetString(b), _ => v?.ToString() } : null;
}

/// <summary>
/// An observer queue bound to the exchange (an "other system"), read in the background in arrival order. Each
/// message is acked after it is recorded and the reader reconnects when the broker drops it, so a broker outage
/// can redeliver (a duplicate, as any consumer may see) but never loses a message.
/// </summary>
public sealed class TestQueue : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedMessage> received = new();
    private readonly CancellationTokenSource stop = new();
    private Task reader = Task.CompletedTask;

    public string Name { get; private init; } = "";

    public IReadOnlyList<ReceivedMessage> Received => [.. received];

    public static async Task<TestQueue> StartAsync(Uri uri, string exchange, string name, IReadOnlyList<string> routingKeys)
    {
        var queue = new TestQueue { Name = name };
        await using (var connection = await new ConnectionFactory { Uri = uri }.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.ExchangeDeclareAsync(exchange, RabbitMQ.Client.ExchangeType.Topic, durable: true, autoDelete: false);
            await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false);
            foreach (var key in routingKeys) await channel.QueueBindAsync(name, exchange, key);
        }
        queue.reader = Task.Run(() => queue.ReadAsync(uri, queue.stop.Token));
        return queue;
    }

    private async Task ReadAsync(Uri uri, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = await new ConnectionFactory { Uri = uri }.CreateConnectionAsync(ct);
                await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
                while (!ct.IsCancellationRequested)
                {
                    var got = await channel.BasicGetAsync(Name, autoAck: false, ct);
                    if (got is null)
                    {
                        await Task.Delay(10, ct); // polling an idle queue
                        continue;
                    }
                    received.Enqueue(new ReceivedMessage(got.RoutingKey, got.BasicProperties.MessageId, got.BasicProperties.Type,
                        got.BasicProperties.Persistent, new Dictionary<string, object?>(got.BasicProperties.Headers ?? new Dictionary<string, object?>()),
                        Encoding.UTF8.GetString(got.Body.Span)) { Properties = got.BasicProperties, Bytes = got.Body.ToArray() });
                    await channel.BasicAckAsync(got.DeliveryTag, false, ct);
                }
            }
            catch (Exception e) when (!ct.IsCancellationRequested && e is not OperationCanceledException)
            {
                await Task.Delay(100, ct); // the broker is away: try again
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await reader;
        }
        catch (OperationCanceledException)
        {
            // stopped
        }
        stop.Dispose();
    }
}

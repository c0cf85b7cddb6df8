using System.Diagnostics;
using Ledger.EventStore.Telemetry;
using Ledger.Messaging.Broker;
using Ledger.Messaging.Contracts;
using RabbitMQ.Client;

namespace Ledger.Messaging.Relay;

/// <summary>
/// The relay's channel, in confirm mode. A batch is published in store order without waiting between
/// messages, then every confirm is awaited: the batch counts as published only when the broker has confirmed
/// all of it (a nack, a closed channel or the timeout fails it, and the whole batch is sent again).
/// </summary>
internal sealed class RelayPublisher : IAsyncDisposable
{
    private readonly IChannel channel;
    private readonly string exchange;

    private RelayPublisher(IChannel channel, string exchange)
    {
        this.channel = channel;
        this.exchange = exchange;
    }

    public bool IsOpen => channel.IsOpen;

    public static async Task<RelayPublisher> OpenAsync(BrokerConnection broker, string exchange, CancellationToken ct)
    {
        var channel = await broker.CreateChannelAsync(confirms: true, ct).ConfigureAwait(false);
        try
        {
            await BrokerTopology.DeclareExchangeAsync(channel, exchange, ct).ConfigureAwait(false);
            return new RelayPublisher(channel, exchange);
        }
        catch
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task PublishAsync(IReadOnlyList<OutgoingMessage> messages, TimeSpan confirmTimeout, CancellationToken ct)
    {
        if (messages.Count == 0) return;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(confirmTimeout);
        var confirms = new List<Task>(messages.Count);
        // A span per message only when something listens: parsing each traceparent for nobody costs a tenth of a publish.
        var traced = LedgerTelemetry.Source.HasListeners();
        foreach (var message in messages)
        {
            using var span = traced
                ? LedgerTelemetry.StartMessageSpan(LedgerTelemetry.RelayPublishSpan, ActivityKind.Producer,
                    LedgerHeaders.Text(message.Properties.Headers, TraceParent.Header), message.RoutingKey)
                : null;
            confirms.Add(channel.BasicPublishAsync(exchange, message.RoutingKey, mandatory: false, message.Properties, message.Body, timeout.Token).AsTask());
        }
        await Task.WhenAll(confirms).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await channel.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or RabbitMQ.Client.Exceptions.RabbitMQClientException or OperationCanceledException)
        {
            // The channel broke, which is why it is being dropped.
        }
    }
}

using Ledger.Messaging.Broker;
using Ledger.Messaging.Contracts;
using Ledger.Messaging.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Ledger.Messaging.Consumers;

/// <summary>
/// Runs one consumer: declares its queues, takes deliveries one at a time and acknowledges each only after its
/// outcome is safe — applied and committed, found in the inbox, or copied (with confirm) to a delay queue or the
/// dead-letter queue. When the channel or connection breaks it reconnects with backoff; whatever was unacked is
/// redelivered by the broker.
/// </summary>
public sealed partial class MessageConsumer
{
    private readonly ConsumerDefinition definition;
    private readonly BrokerConnection broker;
    private readonly NpgsqlDataSource dataSource;
    private readonly MessagingSettings settings;
    private readonly MessagingMetrics metrics;
    private readonly ILogger logger;
    private readonly TimeProvider clock;
    private readonly RetrySchedule schedule;

    public MessageConsumer(ConsumerDefinition definition, BrokerConnection broker, NpgsqlDataSource dataSource,
        MessagingSettings settings, MessagingMetrics metrics, ILogger<MessageConsumer> logger, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(settings);
        (this.definition, this.broker, this.dataSource, this.settings, this.metrics, this.logger) = (definition, broker, dataSource, settings, metrics, logger);
        this.clock = clock ?? TimeProvider.System;
        schedule = new RetrySchedule(settings.Consumers);
        Queues = ConsumerQueues.For(definition.Name, settings);
    }

    public ConsumerQueues Queues { get; }

    /// <summary>True while a channel is consuming (health).</summary>
    public bool IsConsuming { get; private set; }

    public async Task RunAsync(CancellationToken ct)
    {
        var schemas = await ContractSchemas.EmbeddedAsync().ConfigureAwait(false);
        var missing = definition.MessageTypes.Where(t => !schemas.Has(t)).ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException($"Consumer '{definition.Name}' takes message types without a schema: {string.Join(", ", missing)}.");
        var processor = new DeliveryProcessor(definition, schemas, dataSource);

        var failures = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                IChannel? consuming = null;
                IChannel? publishing = null;
                try
                {
                    consuming = await broker.CreateChannelAsync(confirms: false, ct).ConfigureAwait(false);
                    publishing = await broker.CreateChannelAsync(confirms: true, ct).ConfigureAwait(false);
                    await BrokerTopology.DeclareConsumerAsync(consuming, settings.Exchange, Queues, definition.MessageTypes, schedule.AllDelays, ct).ConfigureAwait(false);
                    await consuming.BasicQosAsync(0, settings.Consumers.Prefetch, false, ct).ConfigureAwait(false);

                    var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    consuming.ChannelShutdownAsync += (_, _) => Signal(closed);
                    publishing.ChannelShutdownAsync += (_, _) => Signal(closed);
                    var router = new FailureRouter(publishing, Queues, schedule, clock);
                    var consumer = new AsyncEventingBasicConsumer(consuming);
                    var channel = consuming;
                    consumer.ReceivedAsync += (_, delivery) => OnDeliveryAsync(channel, processor, router, delivery, ct);
                    await consuming.BasicConsumeAsync(Queues.Main, autoAck: false, consumer, ct).ConfigureAwait(false);
                    IsConsuming = true;
                    failures = 0;
                    LogConsuming(logger, definition.Name, Queues.Main);

                    while (!closed.Task.IsCompleted)
                    {
                        await ProbeDeadLettersAsync(publishing, ct).ConfigureAwait(false);
                        await Task.WhenAny(closed.Task, Task.Delay(settings.Consumers.DeadLetterProbeInterval, clock, ct)).ConfigureAwait(false);
                        ct.ThrowIfCancellationRequested();
                    }
                    throw new IOException("the consumer's channel closed");
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    IsConsuming = false;
                    broker.ReportFailure(e);
                    var delay = Backoff(++failures);
                    LogReconnecting(logger, e, definition.Name, delay);
                    await Task.Delay(delay, clock, ct).ConfigureAwait(false);
                }
                finally
                {
                    IsConsuming = false;
                    await CloseQuietly(consuming).ConfigureAwait(false);
                    await CloseQuietly(publishing).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping: an unacked delivery goes back to the queue when the channel closes.
        }
    }

    private async Task OnDeliveryAsync(IChannel channel, DeliveryProcessor processor, FailureRouter router, BasicDeliverEventArgs delivery, CancellationToken ct)
    {
        var attempt = Math.Max(1, LedgerHeaders.Number(delivery.BasicProperties.Headers, LedgerHeaders.Attempt, 1));
        var result = await processor.ProcessAsync(delivery.Body, delivery.BasicProperties, attempt, ct).ConfigureAwait(false);
        if (result.Disposition == Disposition.Failed && ct.IsCancellationRequested)
            return; // failed because we are stopping: left unacked, it is redelivered to whoever consumes next
        try
        {
            if (result.Disposition != Disposition.Failed)
            {
                await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, CancellationToken.None).ConfigureAwait(false);
                metrics.RecordHandled(definition.Name, result.Disposition == Disposition.Applied ? "applied" : "duplicate");
                if (result.Disposition == Disposition.Duplicate) LogDuplicate(logger, definition.Name, result.MessageId);
                return;
            }

            var route = await router.RouteAsync(delivery, attempt, result, CancellationToken.None).ConfigureAwait(false);
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, CancellationToken.None).ConfigureAwait(false);
            if (route.DeadLettered)
            {
                metrics.RecordDeadLettered(definition.Name);
                metrics.RecordHandled(definition.Name, "dead_lettered");
                LogDeadLettered(logger, result.Error, definition.Name, result.MessageId, result.MessageType, attempt, result.Kind.ToString(), route.Queue);
            }
            else
            {
                metrics.RecordRetry(definition.Name);
                metrics.RecordHandled(definition.Name, "retried");
                LogRetry(logger, result.Error, definition.Name, result.MessageId, result.MessageType, attempt, schedule.MaxAttempts, result.Kind.ToString(), route.Delay);
            }
        }
        catch (Exception e)
        {
            // Not acknowledged, so not lost: nacked back to the queue (after a pause, so a broker that refuses the
            // copy is not hammered), or redelivered by the broker when this channel closes.
            LogNotAcked(logger, e, definition.Name, result.MessageId);
            await Task.Delay(settings.Consumers.ReconnectDelay, clock, CancellationToken.None).ConfigureAwait(false);
            try
            {
                if (channel.IsOpen) await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception nack) when (nack is IOException or RabbitMQ.Client.Exceptions.RabbitMQClientException)
            {
                // The channel is gone; the broker requeues everything it had not seen acked.
            }
        }
    }

    private async Task ProbeDeadLettersAsync(IChannel channel, CancellationToken ct)
    {
        try
        {
            metrics.SetDeadLetterSize(definition.Name, await channel.MessageCountAsync(Queues.DeadLetters, ct).ConfigureAwait(false));
        }
        catch (Exception e) when (e is IOException or RabbitMQ.Client.Exceptions.RabbitMQClientException)
        {
            // The channel broke; the reconnect loop notices it through the shutdown signal.
        }
    }

    private static Task Signal(TaskCompletionSource closed)
    {
        closed.TrySetResult();
        return Task.CompletedTask;
    }

    private TimeSpan Backoff(int failures) =>
        TimeSpan.FromMilliseconds(Math.Min(settings.Consumers.MaxReconnectDelay.TotalMilliseconds,
            settings.Consumers.ReconnectDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 20))));

    private static async Task CloseQuietly(IChannel? channel)
    {
        if (channel is null) return;
        try
        {
            await channel.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or RabbitMQ.Client.Exceptions.RabbitMQClientException or OperationCanceledException)
        {
            // Already closed by the broker.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Consumer {Consumer} is consuming {Queue}")]
    private static partial void LogConsuming(ILogger logger, string consumer, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consumer {Consumer} lost its channel; reconnecting in {Delay}")]
    private static partial void LogReconnecting(ILogger logger, Exception error, string consumer, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Consumer {Consumer} already applied message {MessageId}; acknowledged without effects")]
    private static partial void LogDuplicate(ILogger logger, string consumer, string? messageId);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Consumer {Consumer} failed message {MessageId} ({MessageType}) on attempt {Attempt} of {MaxAttempts} ({FailureKind}); retrying in {Delay}")]
    private static partial void LogRetry(ILogger logger, Exception? error, string consumer, string? messageId, string? messageType, int attempt, int maxAttempts, string failureKind, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Consumer {Consumer} dead-lettered message {MessageId} ({MessageType}) after attempt {Attempt} ({FailureKind}) to {Queue}")]
    private static partial void LogDeadLettered(ILogger logger, Exception? error, string consumer, string? messageId, string? messageType, int attempt, string failureKind, string queue);

    [LoggerMessage(Level = LogLevel.Error, Message = "Consumer {Consumer} could not settle message {MessageId}; left for redelivery")]
    private static partial void LogNotAcked(ILogger logger, Exception error, string consumer, string? messageId);
}

using Ledger.Messaging;
using Wolverine;
using Wolverine.RabbitMQ;
using Wolverine.RabbitMQ.Internal;

namespace Ledger.Host.Messaging.Inbound;

/// <summary>
/// The inbound consumers as Wolverine listeners: each consumer's durable queue (<c>ledger.payments</c>,
/// <c>ledger.invoicing</c>: the queue prefix and its name) bound to the exchange by each message type it takes, read
/// through Wolverine's durable inbox (the message id is the envelope id: a message is handled once), its handler,
/// its error policy, and its dead letters in Wolverine's storage (<c>wolverine_dead_letters</c>), not in RabbitMQ.
/// </summary>
public static class InboundListeners
{
    /// <summary>
    /// From <c>LedgerWolverine.Configure</c>: the handlers (always, so <c>codegen</c> writes them whether a broker is
    /// configured or not). The listeners and policies come from the configuration once it is final (a test host's
    /// settings included), through <see cref="LedgerBrokerExtension"/>.
    /// </summary>
    public static void Register(WolverineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var consumer in InboundConsumers.All) options.Discovery.IncludeType(consumer.Handler);
        options.Services.AddSingleton<InboundCommands>();
        options.Services.AddHostedService<DeadLetterProbe>();
    }

    /// <param name="rabbit">Ledger's RabbitMQ transport (<see cref="LedgerRabbitMq"/>); null when no broker is configured.</param>
    public static void Configure(WolverineOptions options, RabbitMqTransportExpression? rabbit, MessagingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(settings);
        options.Durability.KeepAfterMessageHandling = settings.Consumers.InboxRetention;
        options.Durability.HandledMessageCleanupPollingTime = settings.Consumers.InboxPurgeInterval;
        options.Policies.Add(new InboundErrorPolicy(settings.Consumers));
        if (rabbit is null || !settings.Consumers.Enabled) return;

        // The listeners' queues and bindings are declared at start, as the hand-written consumers did on connect.
        rabbit.AutoProvision();
        rabbit.DeclareExchange(settings.Exchange, exchange =>
        {
            exchange.ExchangeType = ExchangeType.Topic;
            exchange.IsDurable = true;
        });
        foreach (var consumer in InboundConsumers.All)
        {
            var queue = QueueOf(consumer, settings);
            options.ListenToRabbitQueue(queue, q =>
                {
                    foreach (var type in consumer.MessageTypes) q.BindExchange(settings.Exchange, type);
                })
                .UseInterop(new InboundEnvelopeMapper(consumer))
                .DefaultSerializer(new InboundSerializer(consumer))
                // Dead letters go to Wolverine's storage, where `ledger dlq` finds and replays them; the queue gets
                // no x-dead-letter-exchange argument, so it stays declared exactly as before.
                .DeadLetterQueueing(new DeadLetterQueue(queue + ".dlq", DeadLetterQueueMode.WolverineStorage))
                .PreFetchCount(settings.Consumers.Prefetch)
                .UseDurableInbox();
        }
    }

    public static string QueueOf(InboundConsumer consumer, MessagingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(settings);
        return settings.QueuePrefix + consumer.Name;
    }
}

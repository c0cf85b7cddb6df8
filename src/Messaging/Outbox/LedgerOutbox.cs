using Ledger.EventStore.MartenStore;
using Ledger.Messaging.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Wolverine;
using Wolverine.Marten;
using Wolverine.RabbitMQ;
using Wolverine.RabbitMQ.Internal;

namespace Ledger.Messaging.Outbox;

/// <summary>
/// How Ledger publishes its integration events through Wolverine (docs/wolverine.md, "The outbox"): the route from
/// <see cref="IntegrationMessage"/> to the durable topic exchange, and the subscription on Marten's daemon that feeds it.
/// Shared by the Host and the tests, which compose it the same way.
/// </summary>
public static class LedgerOutbox
{
    /// <summary>
    /// Every <see cref="IntegrationMessage"/> goes to the topic exchange <see cref="MessagingSettings.Exchange"/> with
    /// its message type as routing key, sent inline (the caller awaits the send; <see cref="OutboxSubscription"/> keeps a
    /// page's sends in flight together), with Ledger's body bytes (<see cref="IntegrationMessageSerializer"/>) and AMQP
    /// properties (<see cref="IntegrationMessageMapper"/>). Channels are created with publisher confirms and confirm
    /// tracking, so a send completes only once the broker confirmed the message; a failure is recorded for the page by
    /// <see cref="OutboxSendFailures"/>. The exchange is declared (durable topic) the
    /// first time a message is sent to it, as the relay did; nothing else is provisioned here.
    /// </summary>
    public static void PublishTo(WolverineOptions options, RabbitMqTransportExpression rabbit, MessagingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rabbit);
        ArgumentNullException.ThrowIfNull(settings);
        rabbit.ConfigureChannelCreation(channel =>
        {
            channel.PublisherConfirmationsEnabled = true;
            channel.PublisherConfirmationTrackingEnabled = true;
        });
        // The exchange is declared on the first send (Wolverine declares an endpoint's objects when it initializes the
        // endpoint, only with AutoProvision on), so a broker that forgot it, or a new virtual host, gets it back.
        rabbit.AutoProvision();
        // Wolverine's node health, for the whole cluster: a message is acknowledged to RabbitMQ once it is in a host's
        // durable inbox, and if that host dies before handling it, another takes it over once the dead one's node is
        // stale (no health check for DeadHostTimeout) and ejected. Wolverine's default minute is long for an order
        // waiting on its payment; a node wrongly taken for dead costs nothing worse than a rolled-back duplicate
        // (InboundCommands marks the inbox in the command's own transaction). The outbox itself stores no envelopes.
        options.Durability.HealthCheckPollingTime = settings.Outbox.HostHeartbeat;
        options.Durability.StaleNodeTimeout = settings.Outbox.DeadHostTimeout;
        options.PublishMessagesToRabbitMqExchange<IntegrationMessage>(settings.Exchange, message => message.RoutingKey)
            .SendInline()
            .ConfigureSending(OutboxSendFailures.Configure)
            .UseInterop(new IntegrationMessageMapper())
            .DefaultSerializer(new IntegrationMessageSerializer());
    }

    /// <summary>
    /// The publishing shard on Marten's daemon (<see cref="OutboxSubscription"/>, run by Wolverine's subscription runner)
    /// and the schema guard. Needs <see cref="OutboxPublishing"/>, <see cref="Diagnostics.MessagingMetrics"/> and
    /// <see cref="MessagingSettings"/> in the container, and Marten integrated with Wolverine.
    /// </summary>
    public static IServiceCollection AddLedgerOutbox(this IServiceCollection services)
    {
        services.SubscribeToEventsWithServices<OutboxSubscription>(ServiceLifetime.Singleton);
        // A page whose messages the broker did not confirm fails, and Marten pauses the shard; it must not stay paused.
        SubscriptionWatchService.Add(services, OutboxSubscription.ShardName, "stored events after it are not published");
        services.AddHostedService<OutboxSchemaGuard>();
        return services;
    }

    /// <summary>Every message type the catalogue may publish, and the witnesses' checkpoint event, must have its schema in schemas/ (embedded).</summary>
    public static async Task CheckSchemasAsync(IIntegrationEventCatalogue catalogue)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        var schemas = await ContractSchemas.EmbeddedAsync().ConfigureAwait(false);
        var missing = catalogue.PublishedTypes.Concat(Witnesses.WitnessedCheckpoint.PublishedTypes).Where(t => !schemas.Has(t)).ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException($"Published message types without a schema in schemas/: {string.Join(", ", missing)}.");
    }
}

/// <summary>Stops a host from starting when the catalogue may publish a message type that has no schema.</summary>
internal sealed class OutboxSchemaGuard(OutboxPublishing publishing) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => LedgerOutbox.CheckSchemasAsync(publishing.Catalogue);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

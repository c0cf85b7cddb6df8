using System.Diagnostics;
using System.Text.Json;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Ledger.EventStore.MartenStore;
using Ledger.EventStore.Telemetry;
using Ledger.Messaging.Contracts;
using Ledger.Messaging.Diagnostics;
using Marten;
using Wolverine;
using Wolverine.Marten.Subscriptions;

namespace Ledger.Messaging.Outbox;

/// <summary>What the outbox needs from the application: the stored shapes, their JSON, the catalogue, the producer name.</summary>
public sealed record OutboxPublishing(EventShapes Shapes, JsonSerializerOptions Json, IIntegrationEventCatalogue Catalogue, string Producer);

/// <summary>
/// The event store as the outbox: a subscription on Marten's async daemon (one more shard beside the chain sealer and
/// the projections, so HotCold runs it on one host and moves it when that host dies). Wolverine runs each page through
/// its subscription runner: the <see cref="IMessageBus"/> handed in here is enlisted in Wolverine's durable outbox
/// inside the page's own Marten transaction, so the outgoing envelopes and the shard's new position commit together,
/// and Wolverine sends them to RabbitMQ (publisher confirms) after the commit. A crash after the commit leaves them in
/// <c>wolverine_outgoing_envelopes</c>, and Wolverine's durability agent sends them again; a crash before it leaves the
/// page unprocessed, and the daemon runs it again. Each catalogued event is published once into the outbox,
/// at-least-once onto the exchange (consumers deduplicate by <c>message_id</c> = event id); internal events are passed.
/// </summary>
public sealed class OutboxSubscription : BatchSubscription
{
    /// <summary>The subscription's name; Marten's shard is <c>ledger_outbox:All</c> (<see cref="ShardName"/>).</summary>
    public const string Name = "ledger_outbox";

    /// <summary>The shard's row in <c>mt_event_progression</c>: where the outbox stands in the store.</summary>
    public const string ShardName = Name + ":All";

    private readonly OutboxPublishing publishing;
    private readonly MessagingMetrics metrics;

    public OutboxSubscription(OutboxPublishing publishing, MessagingMetrics metrics, MessagingSettings settings) : base(Name)
    {
        ArgumentNullException.ThrowIfNull(settings);
        this.publishing = publishing;
        this.metrics = metrics;
        // Events per page: one Marten transaction stores the page's outgoing envelopes and moves the shard.
        Options.BatchSize = settings.Outbox.BatchSize;
    }

    public override async Task ProcessEventsAsync(EventRange page, ISubscriptionController controller,
        IDocumentOperations operations, IMessageBus bus, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(bus);
        var traced = LedgerTelemetry.Source.HasListeners();
        var published = 0;
        var passed = 0;
        foreach (var stored in page.Events)
        {
            if (EventShapes.IsTombstone(stored))
            {
                passed++;
                continue;
            }
            // An event that cannot be translated fails the page (the daemon retries it, loudly) rather than being
            // skipped: skipping would lose it for every consumer.
            var recorded = publishing.Shapes.ToRecorded(stored, publishing.Json);
            if (publishing.Catalogue.Translate(recorded) is not { } integration)
            {
                passed++;
                continue;
            }
            var message = IntegrationMessage.For(recorded, integration, publishing.Producer);
            var delivery = new DeliveryOptions();
            foreach (var (name, value) in message.Headers()) delivery.Headers[name] = value;
            // A span per message only when something listens: parsing each traceparent for nobody costs a share of a publish.
            using (var span = traced ? LedgerTelemetry.StartMessageSpan(LedgerTelemetry.OutboxPublishSpan, ActivityKind.Producer, message.TraceParent, message.RoutingKey) : null)
                await bus.PublishAsync(message, delivery).ConfigureAwait(false);
            published++;
        }
        metrics.RecordPublished(published, passed);
    }
}

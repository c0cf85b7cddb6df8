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
using Wolverine.Runtime;
using Wolverine.Marten.Subscriptions;

namespace Ledger.Messaging.Outbox;

/// <summary>What the outbox needs from the application: the stored shapes, their JSON, the catalogue, the producer name.</summary>
public sealed record OutboxPublishing(EventShapes Shapes, JsonSerializerOptions Json, IIntegrationEventCatalogue Catalogue, string Producer);

/// <summary>
/// The event store as the outbox: a subscription on Marten's async daemon (one more shard beside the chain sealer and
/// the projections, so HotCold runs it on one host and moves it when that host dies). Each page's messages are sent
/// through Wolverine's inline RabbitMQ endpoint (publisher confirms), all at once, and the page returns only when every
/// one was confirmed; Marten then commits the shard's new position. A send that failed (<see cref="OutboxSendFailures"/>)
/// fails the page: the shard pauses where it was, its watch restarts it, and the page is published again, so the shard
/// never moves past an unconfirmed message. At-least-once onto the exchange (consumers deduplicate by
/// <c>message_id</c> = event id); internal events are passed. Wolverine's durable outbox is not used: its agent sends one
/// envelope per broker round trip, and the store already holds what must be published (docs/wolverine.md).
/// </summary>
public sealed class OutboxSubscription : BatchSubscription
{
    /// <summary>The subscription's name; Marten's shard is <c>ledger_outbox:All</c> (<see cref="ShardName"/>).</summary>
    public const string Name = "ledger_outbox";

    /// <summary>The shard's row in <c>mt_event_progression</c>: where the outbox stands in the store.</summary>
    public const string ShardName = Name + ":All";

    private readonly OutboxPublishing publishing;
    private readonly MessagingMetrics metrics;
    private readonly IWolverineRuntime runtime;

    public OutboxSubscription(OutboxPublishing publishing, MessagingMetrics metrics, MessagingSettings settings, IWolverineRuntime runtime) : base(Name)
    {
        ArgumentNullException.ThrowIfNull(settings);
        this.publishing = publishing;
        this.metrics = metrics;
        this.runtime = runtime;
        // Events per page: a page's messages are in flight together, and one Marten transaction moves the shard past them.
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
        // Not the bus handed in: that one is enlisted in the page's transaction and would send only after the commit.
        var sender = new MessageBus(runtime);
        var sends = new List<(IntegrationMessage Message, Task Send)>(page.Events.Count);
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
            // A span per message only when something listens: parsing each traceparent for nobody costs a share of a publish.
            using (var span = traced ? LedgerTelemetry.StartMessageSpan(LedgerTelemetry.OutboxPublishSpan, ActivityKind.Producer, message.TraceParent, message.RoutingKey) : null)
                sends.Add((message, sender.PublishAsync(message).AsTask()));
            published++;
        }
        await Task.WhenAll(sends.Select(s => s.Send)).ConfigureAwait(false);
        var failed = sends.Select(s => OutboxSendFailures.Take(s.Message)).Where(e => e is not null).ToList();
        if (failed.Count > 0)
            throw new AggregateException($"{failed.Count} of {sends.Count} messages of the page were not confirmed by the broker; the page is published again", failed!);
        metrics.RecordPublished(published, passed);
    }
}

using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Ledger.Application.Invoicing.Events;
using Ledger.EventStore.MartenStore;
using Marten;
using Wolverine;
using Wolverine.Marten.Subscriptions;

namespace Ledger.Application.Invoicing.Stamping;

/// <summary>
/// Queues every issued invoice for stamping: a subscription on Marten's async daemon (the shard
/// <c>ledger_stamping:All</c>, beside the chain sealer, the outbox and the read models: HotCold runs it on one host and
/// moves it when that host dies) reading only <c>fiscal.invoice.issued</c> events, whatever path appended them. For each
/// it sends a <see cref="StampInvoice"/> through the bus Wolverine's runner hands in, which is enlisted in the page's
/// transaction (Wolverine's Marten outbox): the messages are stored in Wolverine's durable inbox in the same commit
/// as the shard's new position, so each issued invoice is queued exactly once, and handed to the local stamping queue
/// once that commit is done. A page that fails stores nothing and is read again.
/// </summary>
public sealed class StampingSubscription : BatchSubscription
{
    public const string Name = "ledger_stamping";

    /// <summary>The shard's row in <c>mt_event_progression</c> (migration 0302 seeds it).</summary>
    public const string ShardName = Name + ":All";

    private readonly HashSet<Type> issued;

    public StampingSubscription(EventShapes shapes) : base(Name)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        issued = [.. shapes.ShapesOf(InvoiceEventCodec.Issued)];
        if (issued.Count == 0) throw new InvalidOperationException($"No stored shape is registered for '{InvoiceEventCodec.Issued}'.");
        // Marten reads only these event types for the shard (a filter in its query), so the pages are invoices only.
        foreach (var shape in issued) IncludeType(shape);
        Options.BatchSize = 200;
    }

    public override async Task ProcessEventsAsync(EventRange page, ISubscriptionController controller,
        IDocumentOperations operations, IMessageBus bus, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(bus);
        foreach (var e in page.Events)
        {
            if (!issued.Contains(e.Data.GetType())) continue;
            var stream = e.StreamKey ?? throw new InvalidOperationException($"Event {e.Id} has no stream key.");
            await bus.SendAsync(new StampInvoice(e.TenantId, InvoiceStreams.InvoiceIdOf(stream), e.Timestamp)).ConfigureAwait(false);
        }
    }
}

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Ledger.Messaging.Diagnostics;

/// <summary>
/// Meter <c>Ledger.Messaging</c>: the outbox backlog (events the publishing shard has not passed yet plus envelopes not
/// yet confirmed by the broker), messages published, consumer outcomes and retries, and each consumer's dead-letter
/// queue size. Gauges report the last value measured, so a scrape never waits on the database or the broker. The
/// counters keep the names they had under the relay (dashboards use them).
/// </summary>
public sealed class MessagingMetrics : IDisposable
{
    public const string MeterName = "Ledger.Messaging";

    private readonly Meter meter;
    private readonly Counter<long> published;
    private readonly Counter<long> skipped;
    private readonly Counter<long> handled;
    private readonly Counter<long> retried;
    private readonly Counter<long> deadLettered;
    private readonly ConcurrentDictionary<string, long> deadLetterSizes = new(StringComparer.Ordinal);
    private long backlog;

    public MessagingMetrics(IMeterFactory? meterFactory = null)
    {
        meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        published = meter.CreateCounter<long>("ledger.messaging.relay.published", "{message}", "Integration events published into Wolverine's outbox by the publishing shard (sent once the broker confirms).");
        skipped = meter.CreateCounter<long>("ledger.messaging.relay.internal", "{event}", "Stored events the publishing shard passed without publishing (internal events).");
        handled = meter.CreateCounter<long>("ledger.messaging.consumer.handled", "{message}", "Inbound messages by consumer and outcome (applied, duplicate, retried, dead_lettered).");
        retried = meter.CreateCounter<long>("ledger.messaging.consumer.retries", "{message}", "Inbound messages sent to a delay queue for another attempt.");
        deadLettered = meter.CreateCounter<long>("ledger.messaging.consumer.dead_lettered", "{message}", "Inbound messages moved to a dead-letter queue.");
        meter.CreateObservableGauge("ledger.messaging.outbox.backlog", () => Interlocked.Read(ref backlog), "{event}",
            "Stored events after the publishing shard's position, plus envelopes in Wolverine's outbox not yet confirmed.");
        meter.CreateObservableGauge("ledger.messaging.dlq.size",
            () => deadLetterSizes.Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("consumer", p.Key))),
            "{message}", "Messages waiting in each consumer's dead-letter queue.");
    }

    public long OutboxBacklog => Interlocked.Read(ref backlog);

    public IReadOnlyDictionary<string, long> DeadLetterSizes => deadLetterSizes;

    public void RecordPublished(int messages, int internalEvents)
    {
        if (messages > 0) published.Add(messages);
        if (internalEvents > 0) skipped.Add(internalEvents);
    }

    public void SetOutboxBacklog(long events) => Interlocked.Exchange(ref backlog, events);

    public void RecordHandled(string consumer, string outcome) =>
        handled.Add(1, new KeyValuePair<string, object?>("consumer", consumer), new KeyValuePair<string, object?>("outcome", outcome));

    public void RecordRetry(string consumer) => retried.Add(1, new KeyValuePair<string, object?>("consumer", consumer));

    public void RecordDeadLettered(string consumer) => deadLettered.Add(1, new KeyValuePair<string, object?>("consumer", consumer));

    public void SetDeadLetterSize(string consumer, long messages) => deadLetterSizes[consumer] = messages;

    public void Dispose() => meter.Dispose();
}

using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Ledger.EventStore.Telemetry;

/// <summary>
/// Ledger's own traces and the event store's meter. Every module starts its spans on <see cref="Source"/> (one
/// <see cref="ActivitySource"/> named <c>Ledger</c>, which the Host exports) with the span names below, so one trace
/// reads HTTP → append → outbox publish → consumer handling. A module's meter is named <c>Ledger.&lt;Module&gt;</c>: the
/// Host collects every meter whose name starts with <see cref="MeterPrefix"/>, with no registration.
/// </summary>
public static class LedgerTelemetry
{
    /// <summary>The one <see cref="ActivitySource"/> of Ledger's own spans.</summary>
    public const string SourceName = "Ledger";

    /// <summary>Meters named with this prefix (<c>Ledger.EventStore</c>, <c>Ledger.Projections</c>, …) are collected and exposed.</summary>
    public const string MeterPrefix = "Ledger";

    /// <summary>This module's meter.</summary>
    public const string EventStoreMeterName = "Ledger.EventStore";

    /// <summary>One append: one Marten save (Quick append), one or more streams, one tenant.</summary>
    public const string AppendSpan = "ledger.append";

    /// <summary>The projection daemon applying one batch of events to one projection.</summary>

    /// <summary>
    /// The outbox publishing one integration event into Wolverine's outbox, in the page that stores it (child of the
    /// trace its event was appended in; the send to the broker is Wolverine's own span).
    /// </summary>
    public const string OutboxPublishSpan = "ledger.outbox.publish";

    /// <summary>A consumer handling one inbound message (child of the message's <c>traceparent</c>).</summary>
    public const string ConsumerHandleSpan = "ledger.consumer.handle";

    /// <summary>Stamping one fiscal document with the authority.</summary>
    public const string StampSpan = "ledger.stamping.stamp";

    /// <summary>Tag names shared by Ledger's spans and meters. Never a tag with personal data or unbounded values.</summary>
    public static class Tags
    {
        public const string Tenant = "ledger.tenant";
        public const string Streams = "ledger.streams";
        public const string Events = "ledger.events";
        public const string Projection = "ledger.projection";
        public const string MessageType = "messaging.message.type";
        public const string Consumer = "ledger.consumer";
        public const string Outcome = "ledger.outcome";
    }

    public static ActivitySource Source { get; } = new(SourceName);

    private static readonly Meter EventStoreMeter = new(EventStoreMeterName);

    private static readonly Counter<long> Appends = EventStoreMeter.CreateCounter<long>(
        "ledger.eventstore.appends", "{append}", "Appends executed (one Marten save each; an append inside a caller's transaction counts even if the caller rolls back).");

    private static readonly Counter<long> AppendedEvents = EventStoreMeter.CreateCounter<long>(
        "ledger.eventstore.events", "{event}", "Events in the appends executed.");

    private static readonly Histogram<double> AppendDuration = EventStoreMeter.CreateHistogram(
        "ledger.eventstore.append.duration", "s", "Time an append took (Marten's save, in its transaction).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });

    private static readonly Histogram<double> SealLag = EventStoreMeter.CreateHistogram(
        "ledger.chain.seal.lag", "s", "Time from an event's own timestamp (its append) to its chain entry being written (sealed).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    private static readonly Counter<long> SealedEvents = EventStoreMeter.CreateCounter<long>(
        "ledger.chain.sealed", "{event}", "Events entered into their tenant's chain by this process's sealer.");

    private static long sealedThrough;

    private static readonly ObservableGauge<long> SealedThroughGauge = EventStoreMeter.CreateObservableGauge(
        "ledger.chain.sealed_through", () => Volatile.Read(ref sealedThrough), "{position}",
        "Marten's sequence number up to which every event is sealed, as this process's sealer last committed it.");

    /// <summary>A sealed page: how far the ledger is sealed, and each event's time from its timestamp to now.</summary>
    public static void Sealed(long through, IReadOnlyList<DateTimeOffset> eventTimes, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(eventTimes);
        Volatile.Write(ref sealedThrough, Math.Max(Volatile.Read(ref sealedThrough), through));
        SealedEvents.Add(eventTimes.Count);
        foreach (var at in eventTimes) SealLag.Record(Math.Max(0, (now - at).TotalSeconds));
    }

    /// <summary>
    /// Starts the span and the measurement of one append; dispose it when the append is done. The tenant is on the span
    /// (traces are operator data), never on the metrics (unbounded).
    /// </summary>
    public static AppendScope StartAppend(string tenantId, IReadOnlyList<StreamAppend> streams)
    {
        ArgumentNullException.ThrowIfNull(streams);
        var events = 0;
        foreach (var stream in streams) events += stream.Events.Count;
        return StartAppend(tenantId, streams.Count, events);
    }

    /// <summary>The same, for an append staged on a Marten session (<see cref="AppendTelemetryListener"/>).</summary>
    public static AppendScope StartAppend(string tenantId, int streams, int events)
    {
        var activity = Source.StartActivity(AppendSpan, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(Tags.Tenant, tenantId);
            activity.SetTag(Tags.Streams, streams);
            activity.SetTag(Tags.Events, events);
        }
        return new AppendScope(activity, events, Stopwatch.GetTimestamp());
    }

    /// <summary>
    /// A span about one message (<see cref="OutboxPublishSpan"/>, <see cref="ConsumerHandleSpan"/>), in the trace its W3C
    /// <c>traceparent</c> names, so the request that appended an event, the relay's publish and the consumer's handling
    /// share one trace id. Null when nobody listens (no exporter configured).
    /// </summary>
    public static Activity? StartMessageSpan(string name, ActivityKind kind, string? traceparent, string? messageType)
    {
        ActivityContext.TryParse(traceparent, null, isRemote: true, out var parent);
        var activity = Source.StartActivity(name, kind, parent);
        if (activity is { IsAllDataRequested: true } && messageType is not null) activity.SetTag(Tags.MessageType, messageType);
        return activity;
    }

    /// <summary>What <see cref="StartAppend"/> started; disposing it ends the span and records the append.</summary>
    public readonly struct AppendScope(Activity? activity, int events, long startedAt) : IDisposable
    {
        public Activity? Activity => activity;

        public void Dispose()
        {
            Appends.Add(1);
            AppendedEvents.Add(events);
            AppendDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds);
            activity?.Dispose();
        }
    }
}

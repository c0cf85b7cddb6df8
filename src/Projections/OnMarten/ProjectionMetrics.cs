using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Ledger.Projections.OnMarten;

/// <summary>
/// The read models' meters (<c>Ledger.Projections</c>): events each projection was handed, the age of the newest
/// one as it applied them, and whether it is stopped on a failing event (1) or running (0).
/// </summary>
public static class ProjectionMetrics
{
    public const string MeterName = "Ledger.Projections";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Events = Meter.CreateCounter<long>("ledger.projection.events", "{event}", "Events handed to read-model projections");
    private static readonly ConcurrentDictionary<string, double> Lag = new();
    private static readonly ConcurrentDictionary<string, int> Stopped = new();

    static ProjectionMetrics()
    {
        Meter.CreateObservableGauge("ledger.projection.lag", () => Observe(Lag), "s", "Age of the newest event a projection applied, as it applied it");
        Meter.CreateObservableGauge("ledger.projection.stopped", () => Observe(Stopped), "{projection}", "1 while a projection is stopped on a failing event");
    }

    internal static void Applied(string shard, int events, DateTimeOffset newest)
    {
        Events.Add(events, new KeyValuePair<string, object?>("projection", shard));
        Lag[shard] = Math.Max(0, (DateTimeOffset.UtcNow - newest).TotalSeconds);
    }

    internal static void Failed(string shard, bool stopped) => Stopped[shard] = stopped ? 1 : 0;

    private static IEnumerable<Measurement<T>> Observe<T>(ConcurrentDictionary<string, T> values) where T : struct =>
        values.Select(v => new Measurement<T>(v.Value, new KeyValuePair<string, object?>("projection", v.Key)));
}

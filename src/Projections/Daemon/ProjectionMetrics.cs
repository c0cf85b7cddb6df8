using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Ledger.Projections.Daemon;

/// <summary>
/// The daemon's meters (<c>Ledger.Projections</c>): events applied per projection, and each projection's lag in
/// seconds as of its last step here (how old the newest applied event was; 0 once nothing is left to read).
/// </summary>
public static class ProjectionMetrics
{
    public const string MeterName = "Ledger.Projections";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Events = Meter.CreateCounter<long>("ledger.projection.events", "{event}", "Events processed by projections");
    private static readonly ConcurrentDictionary<string, double> Lag = new();

    static ProjectionMetrics() =>
        Meter.CreateObservableGauge("ledger.projection.lag", ObserveLag, "s", "Age of the newest event a projection applied, while it has more to read");

    internal static void Applied(string projection, int events, DateTimeOffset newestRecordedAt, bool caughtUp)
    {
        Events.Add(events, new KeyValuePair<string, object?>("projection", projection));
        Lag[projection] = caughtUp ? 0 : Math.Max(0, (DateTimeOffset.UtcNow - newestRecordedAt).TotalSeconds);
    }

    internal static void Idle(string projection) => Lag[projection] = 0;

    private static IEnumerable<Measurement<double>> ObserveLag() =>
        Lag.Select(l => new Measurement<double>(l.Value, new KeyValuePair<string, object?>("projection", l.Key)));
}

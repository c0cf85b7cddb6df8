using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Ledger.Host.Observability;

/// <summary>The Prometheus metric types an instrument maps to.</summary>
internal enum PrometheusType
{
    Counter,
    Gauge,
    Histogram,
}

/// <summary>
/// What one instrument measured, per label set (the label set rendered in Prometheus syntax is the key). Observable
/// instruments are re-observed at every scrape, so a series they stop reporting disappears.
/// </summary>
internal abstract class MetricSeries(Instrument instrument, int maxSeries)
{
    /// <summary>Where label sets beyond the limit go, as the OpenTelemetry SDK does.</summary>
    public const string OverflowLabels = "otel_metric_overflow=\"true\"";

    public Instrument Instrument { get; } = instrument;

    public abstract PrometheusType Type { get; }

    public abstract void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags);

    /// <summary>Called before the instrument's callbacks run for a scrape.</summary>
    public abstract void BeginObservation();

    public static MetricSeries? For(Instrument instrument, int maxSeries)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType) return null;
        var kind = type.GetGenericTypeDefinition();
        if (kind == typeof(Histogram<>)) return new HistogramSeries(instrument, maxSeries, HistogramBuckets.For(instrument));
        if (kind == typeof(Counter<>)) return new SumSeries(instrument, maxSeries, PrometheusType.Counter, cumulative: false);
        if (kind == typeof(UpDownCounter<>)) return new SumSeries(instrument, maxSeries, PrometheusType.Gauge, cumulative: false);
        if (kind == typeof(ObservableCounter<>)) return new SumSeries(instrument, maxSeries, PrometheusType.Counter, cumulative: true);
        if (kind == typeof(ObservableUpDownCounter<>) || kind == typeof(ObservableGauge<>) || kind == typeof(Gauge<>))
            return new SumSeries(instrument, maxSeries, PrometheusType.Gauge, cumulative: true);
        return null;
    }

    protected TValue Series<TValue>(ConcurrentDictionary<string, TValue> series, ReadOnlySpan<KeyValuePair<string, object?>> tags, Func<string, TValue> create)
    {
        var labels = PrometheusText.Labels(tags);
        if (series.TryGetValue(labels, out var existing)) return existing;
        if (series.Count >= maxSeries) labels = OverflowLabels;
        return series.GetOrAdd(labels, create);
    }
}

/// <summary>A counter or gauge: a sum of what was added, or the last value observed (<paramref name="cumulative"/>).</summary>
internal sealed class SumSeries(Instrument instrument, int maxSeries, PrometheusType type, bool cumulative) : MetricSeries(instrument, maxSeries)
{
    private readonly ConcurrentDictionary<string, Cell> _series = new(StringComparer.Ordinal);

    public override PrometheusType Type => type;

    public IEnumerable<KeyValuePair<string, double>> Values => _series.Select(s => KeyValuePair.Create(s.Key, s.Value.Value));

    public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var cell = Series(_series, tags, static _ => new Cell());
        lock (cell)
            cell.Value = cumulative ? value : cell.Value + value;
    }

    public override void BeginObservation()
    {
        if (Instrument.IsObservable) _series.Clear();
    }

    private sealed class Cell
    {
        public double Value { get; set; }
    }
}

/// <summary>A histogram: per label set, how many values fell at or below each bucket bound, their sum and count.</summary>
internal sealed class HistogramSeries(Instrument instrument, int maxSeries, double[] bounds) : MetricSeries(instrument, maxSeries)
{
    private readonly ConcurrentDictionary<string, Buckets> _series = new(StringComparer.Ordinal);

    public override PrometheusType Type => PrometheusType.Histogram;

    public IReadOnlyList<double> Bounds => bounds;

    public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (double.IsNaN(value)) return;
        var buckets = Series(_series, tags, _ => new Buckets(bounds.Length + 1));
        var index = Array.BinarySearch(bounds, value);
        if (index < 0) index = ~index; // the first bound above the value; equal values belong to their bound (le)
        lock (buckets)
        {
            buckets.Counts[index]++;
            buckets.Sum += value;
            buckets.Count++;
        }
    }

    public override void BeginObservation()
    {
    }

    /// <summary>A consistent copy of each series: cumulative bucket counts (the last is +Inf), sum, count.</summary>
    public IEnumerable<(string Labels, long[] Cumulative, double Sum, long Count)> Snapshot()
    {
        foreach (var (labels, buckets) in _series)
        {
            long[] cumulative;
            double sum;
            long count;
            lock (buckets)
            {
                cumulative = (long[])buckets.Counts.Clone();
                sum = buckets.Sum;
                count = buckets.Count;
            }
            for (var i = 1; i < cumulative.Length; i++) cumulative[i] += cumulative[i - 1];
            yield return (labels, cumulative, sum, count);
        }
    }

    private sealed class Buckets(int size)
    {
        public long[] Counts { get; } = new long[size];
        public double Sum { get; set; }
        public long Count { get; set; }
    }
}

/// <summary>Bucket bounds: the instrument's own advice when it gives one, else OpenTelemetry's defaults for its unit.</summary>
internal static class HistogramBuckets
{
    private static readonly double[] Seconds = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
    private static readonly double[] Default = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    public static double[] For(Instrument instrument)
    {
        var advised = instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.ToArray(),
            Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            _ => null,
        };
        if (advised is { Length: > 0 } && advised.Zip(advised.Skip(1)).All(p => p.First < p.Second)) return advised;
        return instrument.Unit == "s" ? Seconds : Default;
    }
}

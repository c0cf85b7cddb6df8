using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;

namespace Ledger.Host.Observability;

/// <summary>
/// How each instrument is aggregated: at most <c>Ledger:Telemetry:MaxSeriesPerInstrument</c> label sets (further ones
/// fold into the SDK's overflow series), and histogram buckets that fit the unit. The SDK's default buckets
/// (0, 5, 10 … 10000) suit milliseconds; a histogram in seconds without advice of its own would put every request
/// in the first bucket, so it gets OpenTelemetry's recommended bounds for HTTP durations in seconds.
/// </summary>
internal static class MetricStreams
{
    private static readonly double[] Seconds = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
    private static readonly double[] Default = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    public static MetricStreamConfiguration For(Instrument instrument, int maxSeries)
    {
        var type = instrument.GetType();
        var isHistogram = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Histogram<>);
        if (!isHistogram) return new MetricStreamConfiguration { CardinalityLimit = maxSeries };
        return new ExplicitBucketHistogramConfiguration { Boundaries = Bounds(instrument), CardinalityLimit = maxSeries };
    }

    /// <summary>The instrument's own advice when it gives one, else the bounds for its unit.</summary>
    private static double[] Bounds(Instrument instrument)
    {
        var advised = instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.ToArray(),
            Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            _ => null,
        };
        if (advised is { Length: > 0 }) return advised;
        return instrument.Unit == "s" ? Seconds : Default;
    }
}

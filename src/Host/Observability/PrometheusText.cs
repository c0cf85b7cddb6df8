using System.Globalization;
using System.Text;

namespace Ledger.Host.Observability;

/// <summary>
/// The Prometheus text exposition format, version 0.0.4: one <c># HELP</c> and <c># TYPE</c> per metric family,
/// names in Prometheus's alphabet with the unit and <c>_total</c> suffixes OpenTelemetry's Prometheus exporter uses
/// (<c>http.server.request.duration</c> in <c>s</c> becomes <c>http_server_request_duration_seconds</c>), label
/// values escaped, histograms as cumulative <c>_bucket{le=…}</c> series with <c>_sum</c> and <c>_count</c>.
/// </summary>
internal static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Write(IEnumerable<MetricSeries> instruments)
    {
        var families = instruments
            .GroupBy(MetricName, StringComparer.Ordinal)
            .OrderBy(f => f.Key, StringComparer.Ordinal);
        var text = new StringBuilder();
        foreach (var family in families)
        {
            var first = family.First();
            var members = family.Where(m => m.Type == first.Type).ToList(); // a clash of types keeps the first
            if (!string.IsNullOrWhiteSpace(first.Instrument.Description))
                text.Append("# HELP ").Append(family.Key).Append(' ').Append(EscapeHelp(first.Instrument.Description)).Append('\n');
            text.Append("# TYPE ").Append(family.Key).Append(' ').Append(TypeName(first.Type)).Append('\n');
            foreach (var member in members)
            {
                switch (member)
                {
                    case SumSeries sums:
                        foreach (var (labels, value) in sums.Values.OrderBy(v => v.Key, StringComparer.Ordinal))
                            Sample(text, family.Key, labels, Number(value));
                        break;
                    case HistogramSeries histogram:
                        WriteHistogram(text, family.Key, histogram);
                        break;
                }
            }
        }
        return text.ToString();
    }

    private static void WriteHistogram(StringBuilder text, string name, HistogramSeries histogram)
    {
        foreach (var (labels, cumulative, sum, count) in histogram.Snapshot().OrderBy(s => s.Labels, StringComparer.Ordinal))
        {
            for (var i = 0; i < cumulative.Length; i++)
            {
                var le = i < histogram.Bounds.Count ? Number(histogram.Bounds[i]) : "+Inf";
                var bucketLabels = labels.Length == 0 ? $"le=\"{le}\"" : $"{labels},le=\"{le}\"";
                Sample(text, name + "_bucket", bucketLabels, cumulative[i].ToString(CultureInfo.InvariantCulture));
            }
            Sample(text, name + "_sum", labels, Number(sum));
            Sample(text, name + "_count", labels, count.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static void Sample(StringBuilder text, string name, string labels, string value)
    {
        text.Append(name);
        if (labels.Length > 0) text.Append('{').Append(labels).Append('}');
        text.Append(' ').Append(value).Append('\n');
    }

    /// <summary>A label set in exposition syntax, sorted by name; tags without a value are left out.</summary>
    public static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0) return "";
        var sorted = new List<(string Name, string Value)>(tags.Length);
        foreach (var tag in tags)
            if (tag.Value is not null && Convert.ToString(tag.Value, CultureInfo.InvariantCulture) is { } value)
                sorted.Add((Name(tag.Key, allowColon: false), value));
        sorted.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        var text = new StringBuilder();
        foreach (var (name, value) in sorted)
        {
            if (text.Length > 0) text.Append(',');
            text.Append(name).Append("=\"").Append(EscapeLabelValue(value)).Append('"');
        }
        return text.ToString();
    }

    /// <summary>The family name: the instrument's name in Prometheus's alphabet, its unit, and <c>_total</c> for counters.</summary>
    public static string MetricName(MetricSeries series)
    {
        var name = Name(series.Instrument.Name, allowColon: true);
        if (Unit(series.Instrument.Unit) is { } unit && !name.EndsWith("_" + unit, StringComparison.Ordinal)) name += "_" + unit;
        if (series.Type == PrometheusType.Counter && !name.EndsWith("_total", StringComparison.Ordinal)) name += "_total";
        return name;
    }

    private static string? Unit(string? unit) => unit switch
    {
        null or "" or "1" => null,
        _ when unit.StartsWith('{') => null, // an annotation such as {request}: a count, no unit
        "s" => "seconds",
        "ms" => "milliseconds",
        "us" => "microseconds",
        "ns" => "nanoseconds",
        "By" => "bytes",
        "min" => "minutes",
        "h" => "hours",
        "d" => "days",
        "%" => "percent",
        _ => Name(unit, allowColon: false).Trim('_') is { Length: > 0 } plain ? plain : null,
    };

    /// <summary>Anything outside <c>[a-zA-Z0-9_]</c> (and <c>:</c> in metric names) becomes <c>_</c>; no leading digit.</summary>
    internal static string Name(string raw, bool allowColon)
    {
        var name = new StringBuilder(raw.Length + 1);
        foreach (var c in raw)
            name.Append(char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':') ? c : '_');
        if (name.Length == 0 || char.IsAsciiDigit(name[0])) name.Insert(0, '_');
        return name.ToString();
    }

    internal static string EscapeLabelValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    internal static string EscapeHelp(string help) =>
        help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    internal static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string TypeName(PrometheusType type) => type switch
    {
        PrometheusType.Counter => "counter",
        PrometheusType.Histogram => "histogram",
        _ => "gauge",
    };
}

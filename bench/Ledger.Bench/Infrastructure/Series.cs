using System.Globalization;

namespace Ledger.Bench.Infrastructure;

/// <summary>The figures of several rounds of one measurement: reported as median with min and max, never as one number.</summary>
public sealed class Series(string unit)
{
    private readonly List<double> values = [];

    public string Unit { get; } = unit;
    public IReadOnlyList<double> Values => values;
    public int Count => values.Count;
    public double Median => Percentile(values, 0.5);
    public double Min => values.Count == 0 ? double.NaN : values.Min();
    public double Max => values.Count == 0 ? double.NaN : values.Max();

    public void Add(double value) => values.Add(value);

    /// <summary><c>median [min–max]</c>, e.g. <c>4,210 [3,980–4,400]</c>.</summary>
    public string Describe() => Count == 0 ? "—" : $"{Format(Median)} [{Format(Min)}–{Format(Max)}]";

    public static string Format(double value) => double.IsNaN(value) ? "—" : Math.Abs(value) switch
    {
        >= 100 => value.ToString("N0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("N1", CultureInfo.InvariantCulture),
        _ => value.ToString("0.00", CultureInfo.InvariantCulture),
    };

    /// <summary>Nearest-rank on a sorted copy, linear between ranks (p in 0..1).</summary>
    public static double Percentile(IReadOnlyCollection<double> sample, double p)
    {
        if (sample.Count == 0) return double.NaN;
        var sorted = sample.Order().ToArray();
        var rank = p * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }
}

/// <summary>Ledger's figure against the baseline's, round by round in the same run.</summary>
public sealed class Comparison(string unit)
{
    public Series Ledger { get; } = new(unit);
    public Series Baseline { get; } = new(unit);

    /// <summary>Ratio of each round to its paired baseline round (rounds alternate, so each pair shares the machine's mood).</summary>
    public Series PairedRatios
    {
        get
        {
            var ratios = new Series("×");
            for (var i = 0; i < Math.Min(Ledger.Count, Baseline.Count); i++) ratios.Add(Ledger.Values[i] / Baseline.Values[i]);
            return ratios;
        }
    }

    /// <summary>Median over median: the headline ratio.</summary>
    public double Ratio => Ledger.Median / Baseline.Median;
}

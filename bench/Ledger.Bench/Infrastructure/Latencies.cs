using System.Diagnostics;

namespace Ledger.Bench.Infrastructure;

/// <summary>Latencies of one round, recorded as Stopwatch ticks by each worker without locking, merged at the end.</summary>
public sealed class Latencies
{
    private readonly List<long>[] perWorker;

    public Latencies(int workers)
    {
        perWorker = new List<long>[workers];
        for (var i = 0; i < workers; i++) perWorker[i] = new List<long>(4096);
    }

    public void Record(int worker, long ticks) => perWorker[worker].Add(ticks);

    public int Count => perWorker.Sum(l => l.Count);

    /// <summary>The p-th percentile in milliseconds (p in 0..1).</summary>
    public double PercentileMs(double p)
    {
        var all = perWorker.SelectMany(l => l).Select(t => t * 1000.0 / Stopwatch.Frequency).ToArray();
        return Series.Percentile(all, p);
    }
}

using System.Diagnostics;

namespace Ledger.Bench.Infrastructure;

/// <summary>What one timed round did: operations per second, latency percentiles, failures.</summary>
public sealed record RoundResult(double OpsPerSecond, double P50Ms, double P99Ms, long Operations, long Errors, string? FirstError)
{
    /// <summary>CPU spent during the round (set by <see cref="Rounds"/>).</summary>
    public CpuUsage Cpu { get; init; }

    /// <summary>Server CPU per operation, in microseconds.</summary>
    public double ServerCpuUs => Operations > 0 ? Cpu.ServerMs * 1000 / Operations : double.NaN;

    /// <summary>Client (bench process) CPU per operation, in microseconds.</summary>
    public double ClientCpuUs => Operations > 0 ? Cpu.ClientMs * 1000 / Operations : double.NaN;

    public static RoundResult Throughput(long operations, TimeSpan elapsed) =>
        new(operations / elapsed.TotalSeconds, double.NaN, double.NaN, operations, 0, null);
}

/// <summary>
/// A plain load driver: closed loop (N workers, each sending its next request when the last one answered) to
/// find throughput, open loop (a fixed arrival rate) to find latency at a given load without coordinated omission.
/// </summary>
public static class LoadDriver
{
    /// <summary>
    /// <paramref name="workers"/> loops calling <paramref name="operation"/>(worker) until <paramref name="duration"/>
    /// has passed. An operation that throws counts as an error and is not timed.
    /// </summary>
    public static async Task<RoundResult> ClosedLoop(int workers, TimeSpan duration, Func<int, Task> operation)
    {
        var latencies = new Latencies(workers);
        long errors = 0;
        string? firstError = null;
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        var tasks = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    await operation(w);
                    latencies.Record(w, Stopwatch.GetTimestamp() - t0);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    if (Interlocked.Increment(ref errors) == 1) firstError = $"{e.GetType().Name}: {e.Message}";
                }
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        var elapsed = Stopwatch.GetElapsedTime(started);
        return new RoundResult(latencies.Count / elapsed.TotalSeconds, latencies.PercentileMs(0.5), latencies.PercentileMs(0.99),
            latencies.Count, errors, firstError);
    }

    /// <summary>
    /// Starts <paramref name="operation"/> at a fixed <paramref name="ratePerSecond"/> for <paramref name="duration"/>,
    /// whether or not earlier ones have answered. Each latency runs from the moment the request was due, so a stall
    /// shows up in the percentiles instead of slowing the arrivals down (no coordinated omission).
    /// </summary>
    public static async Task<RoundResult> OpenLoop(double ratePerSecond, TimeSpan duration, Func<Task> operation)
    {
        var total = (int)(ratePerSecond * duration.TotalSeconds);
        var latencies = new Latencies(1);
        var gate = new object();
        long errors = 0;
        string? firstError = null;
        var inFlight = new List<Task>(total);
        var started = Stopwatch.GetTimestamp();
        var interval = Stopwatch.Frequency / ratePerSecond;
        for (var i = 0; i < total; i++)
        {
            var due = started + (long)(i * interval);
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > Stopwatch.Frequency / 1000) await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
            else if (wait > 0) Thread.SpinWait(20);
            inFlight.Add(Run(due));
        }
        await Task.WhenAll(inFlight);
        var elapsed = Stopwatch.GetElapsedTime(started);
        return new RoundResult(latencies.Count / elapsed.TotalSeconds, latencies.PercentileMs(0.5), latencies.PercentileMs(0.99),
            latencies.Count, errors, firstError);

        async Task Run(long due)
        {
            try
            {
                await operation();
                var done = Stopwatch.GetTimestamp();
                lock (gate) latencies.Record(0, done - due);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                if (Interlocked.Increment(ref errors) == 1) firstError = $"{e.GetType().Name}: {e.Message}";
            }
        }
    }

    /// <summary>Runs a fixed amount of work once and reports items per second.</summary>
    public static async Task<RoundResult> Timed(long items, Func<Task> work)
    {
        var started = Stopwatch.GetTimestamp();
        await work();
        return RoundResult.Throughput(items, Stopwatch.GetElapsedTime(started));
    }
}

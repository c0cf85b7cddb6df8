using System.Diagnostics;

namespace Ledger.Bench.Infrastructure;

/// <summary>
/// CPU time spent during a round by the PostgreSQL server (every <c>postgres</c> process on this machine: backends,
/// WAL writer, checkpointer) and by this bench process (the client: Ledger's code, or the baseline's driver). On a
/// machine where client and server share the cores, a CPU-bound round's throughput follows the CPU each operation
/// costs, so these figures say where a ratio comes from. The server is on 127.0.0.1, so its processes are readable in
/// /proc; anything else running on the machine is not counted, but another client of the same server is.
/// </summary>
public sealed record CpuSample(IReadOnlyDictionary<int, long> ServerTicks, double ClientMs)
{
    private const double TickMs = 1000.0 / 100; // USER_HZ is 100 on Linux

    public static CpuSample Now() => new(ServerProcessTicks(), Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds);

    /// <summary>
    /// What was spent between <paramref name="start"/> and <paramref name="end"/>, per process: a process that ended
    /// in between is left out (its ticks are gone with it), one that started counts from zero.
    /// </summary>
    public static CpuUsage operator -(CpuSample end, CpuSample start) =>
        new(end.ServerTicks.Sum(p => Math.Max(0, p.Value - start.ServerTicks.GetValueOrDefault(p.Key))) * TickMs,
            end.ClientMs - start.ClientMs);

    // utime + stime (fields 14 and 15 of /proc/<pid>/stat) of every process whose command is postgres.
    private static Dictionary<int, long> ServerProcessTicks()
    {
        var ticks = new Dictionary<int, long>();
        if (!OperatingSystem.IsLinux()) return ticks;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                if (open < 0 || close < open || stat[(open + 1)..close] != "postgres") continue;
                var fields = stat[(close + 2)..].Split(' ');
                ticks[pid] = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture)
                           + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // the process ended while we looked
            }
        }
        return ticks;
    }
}

/// <summary>CPU spent during a round, in milliseconds: the server's processes and this bench process.</summary>
public readonly record struct CpuUsage(double ServerMs, double ClientMs);

using System.Diagnostics;

namespace Ledger.Bench.Infrastructure;

/// <summary>
/// CPU time spent during a round by the PostgreSQL server (every <c>postgres</c> process on this machine: backends,
/// WAL writer, checkpointer) and by this bench process (the client: Ledger's code, or the baseline's driver). On a
/// machine where client and server share the cores, a CPU-bound round's throughput follows the CPU each operation
/// costs, so these figures say where a ratio comes from. The server is on 127.0.0.1, so its processes are readable in
/// /proc; anything else running on the machine is not counted, but another client of the same server is.
/// </summary>
public readonly record struct CpuSample(double ServerMs, double ClientMs)
{
    private static readonly double TickMs = 1000.0 / 100; // USER_HZ is 100 on Linux

    public static CpuSample Now() => new(ServerTicks() * TickMs, Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds);

    public static CpuSample operator -(CpuSample end, CpuSample start) =>
        new(end.ServerMs - start.ServerMs, end.ClientMs - start.ClientMs);

    // utime + stime (fields 14 and 15 of /proc/<pid>/stat) of every process whose command is postgres. A process that
    // ended during the round takes its ticks with it; Ledger's and the baselines' pools keep their connections open.
    private static long ServerTicks()
    {
        if (!OperatingSystem.IsLinux()) return 0;
        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!char.IsAsciiDigit(Path.GetFileName(dir)[0])) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                if (open < 0 || close < open || stat[(open + 1)..close] != "postgres") continue;
                var fields = stat[(close + 2)..].Split(' ');
                ticks += long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture)
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

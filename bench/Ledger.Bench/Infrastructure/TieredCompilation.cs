using System.Globalization;

namespace Ledger.Bench.Infrastructure;

/// <summary>
/// How busy a .NET process's JIT still is, from the CPU time of its tiered-compilation thread (Linux <c>/proc</c>).
/// A process starts on quickly jitted code and recompiles its hot methods in the background; on a loaded 2-core
/// machine that took the Host more than a minute of load, and a measurement taken meanwhile times the JIT (a third of
/// the Host's CPU samples in a profile of the quick run), not the code. Warm-ups therefore last until it has settled.
/// </summary>
public static class TieredCompilation
{
    // The runtime names the thread ".NET Tiered Compilation Worker"; Linux keeps the first 15 characters.
    private const string ThreadName = ".NET Tiered Com";
    private const double TicksPerSecond = 100; // USER_HZ, 100 on every Linux the bench runs on

    /// <summary>
    /// Runs <paramref name="load"/> in steps of <paramref name="step"/>, for at least <paramref name="min"/> (the
    /// runtime only starts recompiling once start-up's burst of first compilations has passed), then until two steps
    /// in a row in which tiered compilation used under 5 % of the process's CPU, at most <paramref name="max"/>.
    /// Returns how long it took and whether it settled. Where /proc cannot be read, <paramref name="min"/> is the warm-up.
    /// </summary>
    public static async Task<(TimeSpan Took, bool Settled)> WarmUntilSettled(
        int processId, TimeSpan step, TimeSpan min, TimeSpan max, Func<TimeSpan, Task> load)
    {
        ArgumentNullException.ThrowIfNull(load);
        var started = DateTime.UtcNow;
        var quietSteps = 0;
        while (true)
        {
            var before = (Jit: JitCpuSeconds(processId), Process: ProcessCpuSeconds(processId));
            await load(step);
            var after = (Jit: JitCpuSeconds(processId), Process: ProcessCpuSeconds(processId));
            var took = DateTime.UtcNow - started;
            if (before.Jit is null || after.Jit is null || before.Process is null || after.Process is null)
            {
                if (took >= min) return (took, false);
                continue;
            }
            var used = after.Process.Value - before.Process.Value;
            quietSteps = used > 0 && after.Jit.Value - before.Jit.Value < 0.05 * used ? quietSteps + 1 : 0;
            if (took >= min && quietSteps >= 2) return (took, true);
            if (took >= max) return (took, false);
        }
    }

    /// <summary>CPU seconds the whole process has used so far; null without /proc.</summary>
    public static double? ProcessCpuSeconds(int processId)
    {
        try
        {
            return UserAndSystemSeconds(File.ReadAllText($"/proc/{processId}/stat"));
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>CPU seconds used so far by the process's tiered-compilation thread (0 when it has none now); null without /proc.</summary>
    public static double? JitCpuSeconds(int processId)
    {
        var tasks = $"/proc/{processId}/task";
        if (!Directory.Exists(tasks)) return null;
        var total = 0.0;
        foreach (var task in Directory.EnumerateDirectories(tasks))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') != ThreadName) continue;
                total += UserAndSystemSeconds(File.ReadAllText(Path.Combine(task, "stat")));
            }
            catch (IOException)
            {
                // The thread ended while being read: it has nothing left to compile.
            }
        }
        return total;
    }

    // Fields after the parenthesised name: state is field 3, utime 14 and stime 15 (proc(5)).
    private static double UserAndSystemSeconds(string stat)
    {
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }
}

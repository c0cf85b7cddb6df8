namespace Ledger.Bench.Infrastructure;

/// <summary>
/// The append scenarios' closed loop: <see cref="BenchSettings.Writers"/> writers, each owning a disjoint share of the
/// streams (writer w owns the streams s with s % writers == w), so no two writers ever race on one stream and every
/// append can state its exact expected version: what is measured is the write path, not conflicts.
/// </summary>
public sealed class StreamWriters(BenchSettings settings)
{
    /// <summary>A warm-up or a round: every writer appends in a loop; <c>append(writer, its random, n)</c> with n counting all appends.</summary>
    public Task<RoundResult> Run(bool warmUp, Func<int, Random, long, Task> append)
    {
        var counter = 0L;
        var randoms = Enumerable.Range(0, settings.Writers).Select(w => new Random(w * 7919 + Environment.TickCount)).ToArray();
        return LoadDriver.ClosedLoop(settings.Writers, warmUp ? settings.WarmUp : settings.RoundDuration,
            w => append(w, randoms[w], Interlocked.Increment(ref counter)));
    }

    /// <summary>A random stream among those <paramref name="writer"/> owns.</summary>
    public int PickStream(int writer, Random random, int streamCount) =>
        writer + settings.Writers * random.Next((streamCount - writer + settings.Writers - 1) / settings.Writers);
}

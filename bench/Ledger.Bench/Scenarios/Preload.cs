using Ledger.Bench.Infrastructure;
using Ledger.EventStore;

namespace Ledger.Bench.Scenarios;

/// <summary>Fills a Ledger schema through the store itself before a scenario measures it.</summary>
public static class Preload
{
    public static string TenantId(int t) => $"tenant-{t:D3}";

    public static string StreamId(int s) => $"stream-{s:D6}";

    /// <summary>Every stream of every tenant gets <paramref name="perStream"/> events, about 1,000 events per append.</summary>
    public static async Task LedgerStreamsAsync(IEventStore store, int tenants, int streamsPerTenant, int perStream, Payloads payloads)
    {
        var streamsPerAppend = Math.Max(1, 1000 / perStream);
        var work = Enumerable.Range(0, tenants).SelectMany(t => Enumerable.Range(0, (streamsPerTenant + streamsPerAppend - 1) / streamsPerAppend)
            .Select(chunk => (t, chunk))).ToList();
        // Two appenders: tenants' chains are independent; within a tenant the chunks go one after another.
        await Parallel.ForEachAsync(work.GroupBy(w => w.t), new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (tenant, ct) =>
        {
            foreach (var (t, chunk) in tenant)
            {
                var first = chunk * streamsPerAppend;
                var appends = Enumerable.Range(first, Math.Min(streamsPerAppend, streamsPerTenant - first))
                    .Select(s => new StreamAppend(StreamId(s), ExpectedVersion.NoStream,
                        [.. Enumerable.Range(0, perStream).Select(v => payloads.Event(s + v))]))
                    .ToList();
                await store.AppendAsync(TenantId(t), appends, ct);
            }
        });
    }
}

using System.Collections.Concurrent;

namespace Ledger.Application.Invoicing;

/// <summary>
/// Lets one document at a time of this process take a number from a given series. Numbers are safe without it (the
/// series stream's expected version refuses a second taker), but concurrent requests in one process would then mostly
/// lose races to each other and retry; queueing them here keeps retries for races between processes.
/// </summary>
internal sealed class SeriesGates
{
    private readonly ConcurrentDictionary<(string Tenant, string Stream), SemaphoreSlim> gates = new();

    public async Task<IDisposable> EnterAsync(string tenantId, string seriesStream, CancellationToken ct)
    {
        var gate = gates.GetOrAdd((tenantId, seriesStream), _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct).ConfigureAwait(false);
        return new Release(gate);
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0) gate.Release();
        }
    }
}

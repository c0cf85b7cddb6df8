namespace Ledger.Application.Invoicing.Stamping;

/// <summary>
/// Wakes a stamping worker of this process when a document was issued here, so it need not wait for its next poll.
/// Several notifications before the worker wakes count as one: it processes all due work when it does.
/// </summary>
public sealed class StampingSignal : IDisposable
{
    private readonly SemaphoreSlim semaphore = new(0, 1);

    public void Notify()
    {
        try
        {
            semaphore.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled and not yet consumed.
        }
    }

    /// <summary>Waits for a notification or until <paramref name="timeout"/>; true when notified.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => semaphore.WaitAsync(timeout, ct);

    public void Dispose() => semaphore.Dispose();
}

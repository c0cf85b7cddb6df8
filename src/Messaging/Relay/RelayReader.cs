using Ledger.EventStore;
using Ledger.EventStore.Notifications;

namespace Ledger.Messaging.Relay;

/// <summary>
/// Reads the relay's batches, the next one while the current one is published. Reading a page (query, JSON of every
/// row) and translating it into messages cost about as much as publishing it with confirms, and they need PostgreSQL
/// and this process's CPU while publishing mostly waits for the broker, so the two overlap.
/// </summary>
/// <remarks>
/// A page read ahead is as good as one read later: the store only returns transactions older than every running one,
/// so anything committed after the read sorts after the page. It is used only if the relay asks for the position it
/// was read from, i.e. the batch before it was confirmed and checkpointed; after a failure the relay asks again from
/// its checkpoint and the page read ahead is dropped. One reader lives as long as one hold of the lease.
/// </remarks>
internal sealed class RelayReader(IEventStore store, int batchSize, AppendSignal appended,
    Func<IReadOnlyList<RecordedEvent>, IReadOnlyList<OutgoingMessage>> translate, CancellationToken ct) : IAsyncDisposable
{
    private readonly CancellationTokenSource stopping = CancellationTokenSource.CreateLinkedTokenSource(ct);
    private (GlobalPosition From, Task<RelayBatch> Read)? ahead;

    /// <summary>The batch after <paramref name="from"/>; when it is full, starts reading the one after it.</summary>
    public async Task<RelayBatch> ReadAsync(GlobalPosition from)
    {
        var read = TakeAhead(from) ?? ReadAfter(from);
        var batch = await read.ConfigureAwait(false);
        if (batch.Events.Count == batchSize) ahead = (batch.End, ReadAfter(batch.End));
        return batch;
    }

    private Task<RelayBatch>? TakeAhead(GlobalPosition from)
    {
        var taken = ahead;
        ahead = null;
        if (taken is not { } read) return null;
        if (read.From == from) return read.Read;
        Forget(read.Read);
        return null;
    }

    // On the thread pool: translating is CPU work that should not hold up the publishes of the batch before.
    private Task<RelayBatch> ReadAfter(GlobalPosition from) => Task.Run(async () =>
    {
        var pulse = appended.Next;
        var events = await store.ReadAllAsync(from, batchSize, stopping.Token).ConfigureAwait(false);
        return new RelayBatch(events, translate(events), pulse);
    }, CancellationToken.None);

    // A dropped read's failure means nothing (the relay reads that page again if it needs it), but must be observed.
    private static void Forget(Task read) =>
        _ = read.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    /// <summary>Stops a read still running ahead, so no query outlives the hold of the lease.</summary>
    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        if (ahead is { } pending)
        {
            ahead = null;
            // Nobody wants that page any more: however its read ends, it ends quietly.
            await ((Task)pending.Read).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _ = pending.Read.Exception;
        }
        stopping.Dispose();
    }
}

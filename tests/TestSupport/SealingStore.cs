using Ledger.EventStore;
using Ledger.EventStore.MartenStore;

namespace Ledger.TestSupport;

/// <summary>
/// The store as tests use it through <see cref="TestDatabase.Store"/>: each append returns once its events are sealed
/// into their chains, so a test can append and then read chains, checkpoints and exports as a reader would a moment
/// later. Tests of the store's own timing (races, held transactions) use <see cref="TestDatabase.EventStore"/>.
/// </summary>
public sealed class SealingStore(MartenEventStore inner, SealProgress progress) : IEventStore
{
    private static readonly TimeSpan SealWait = TimeSpan.FromSeconds(30);

    public async Task<AppendResult> AppendAsync(string tenantId, IReadOnlyList<StreamAppend> streams, CancellationToken ct = default)
    {
        var result = await inner.AppendAsync(tenantId, streams, ct);
        if (!await progress.WaitForAsync(result.LastPosition.Seq, SealWait, ct))
            throw new TimeoutException($"The append at {result.LastPosition} was not sealed within {SealWait.TotalSeconds} s.");
        return result;
    }

    public Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(string tenantId, string streamId, long fromVersion = 1, CancellationToken ct = default) =>
        inner.ReadStreamAsync(tenantId, streamId, fromVersion, ct);

    public Task<IReadOnlyList<RecordedEvent>> ReadAllAsync(GlobalPosition after, int max, CancellationToken ct = default) =>
        inner.ReadAllAsync(after, max, ct);
}

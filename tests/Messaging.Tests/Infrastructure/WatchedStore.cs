using System.Collections.Concurrent;
using Ledger.EventStore;

namespace Ledger.Messaging.Tests.Infrastructure;

/// <summary>The test store, noting where every <see cref="IEventStore.ReadAllAsync"/> started from (to see a relay read ahead).</summary>
public sealed class WatchedStore(IEventStore store) : IEventStore
{
    private readonly ConcurrentQueue<GlobalPosition> readsFrom = new();

    public IReadOnlyList<GlobalPosition> ReadsFrom => [.. readsFrom];

    public Task<AppendResult> AppendAsync(string tenantId, IReadOnlyList<StreamAppend> streams, CancellationToken ct = default) =>
        store.AppendAsync(tenantId, streams, ct);

    public Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(string tenantId, string streamId, long fromVersion = 1, CancellationToken ct = default) =>
        store.ReadStreamAsync(tenantId, streamId, fromVersion, ct);

    public Task<IReadOnlyList<RecordedEvent>> ReadAllAsync(GlobalPosition after, int max, CancellationToken ct = default)
    {
        readsFrom.Enqueue(after);
        return store.ReadAllAsync(after, max, ct);
    }
}

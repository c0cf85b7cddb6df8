using Ledger.Application.Audit;
using Ledger.EventStore;

namespace Ledger.Host.Messaging.Inbound;

/// <summary>The store a message's command appends through, noting each stream it appended and its version after: the audit entry lists them.</summary>
internal sealed class AppendedStreams(IEventStore inner) : IEventStore
{
    private readonly Dictionary<string, long> versions = new(StringComparer.Ordinal);

    public IReadOnlyList<AuditedStream> Streams => [.. versions.Select(v => new AuditedStream(v.Key, v.Value))];

    public async Task<AppendResult> AppendAsync(string tenantId, IReadOnlyList<StreamAppend> streams, CancellationToken ct = default)
    {
        var result = await inner.AppendAsync(tenantId, streams, ct);
        foreach (var (stream, version) in result.StreamVersions) versions[stream] = version;
        return result;
    }

    public Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(string tenantId, string streamId, long fromVersion = 1, CancellationToken ct = default) =>
        inner.ReadStreamAsync(tenantId, streamId, fromVersion, ct);

    public Task<IReadOnlyList<RecordedEvent>> ReadAllAsync(GlobalPosition after, int max, CancellationToken ct = default) =>
        inner.ReadAllAsync(after, max, ct);
}

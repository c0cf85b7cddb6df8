using System.Collections.Concurrent;
using Ledger.EventStore;

namespace Ledger.Application.Invoicing;

/// <summary>
/// Reads the last event of a stream whose state is its last event (a numbering series: the last number; the
/// VERI*FACTU chain: the last fingerprint) without reading the whole stream each time. It remembers the version it
/// last saw per stream and reads from there; a stream only grows, so what it reads from that version on ends with
/// the stream's current last event. The memory is only a hint: correctness comes from appending with the version
/// read, which fails if the stream moved on in between.
/// </summary>
public sealed class StreamTails
{
    private readonly ConcurrentDictionary<(string Tenant, string Stream), long> seen = new();

    /// <summary>The stream's last event (null for a stream that does not exist) and its version (0 then).</summary>
    public async Task<(RecordedEvent? Last, long Version)> ReadAsync(FiscalStreamReader read, string tenantId, string streamId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(read);
        var key = (tenantId, streamId);
        var from = seen.TryGetValue(key, out var known) && known > 0 ? known : 1;
        var events = await read(tenantId, streamId, from, ct).ConfigureAwait(false);
        if (events.Count == 0 && from > 1)
        {
            // Remembered from a store that is not this one any more (a test database dropped and made anew).
            seen.TryRemove(key, out _);
            events = await read(tenantId, streamId, 1, ct).ConfigureAwait(false);
        }
        if (events.Count == 0) return (null, 0);
        var last = events[^1];
        seen[key] = last.StreamVersion;
        return (last, last.StreamVersion);
    }
}

using System.Text.Json;
using Ledger.EventStore.Chain;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.EventStore;

/// <summary>
/// One append flattened into the parallel arrays <c>append_events</c> takes, with stream versions
/// assigned from the expected versions and each entry hashed from its canonical record.
/// </summary>
internal sealed class AppendBatch
{
    private readonly List<Guid> eventIds = [];
    private readonly List<string> streamIds = [];
    private readonly List<long> versions = [];
    private readonly List<string> types = [];
    private readonly List<int> typeVersions = [];
    private readonly List<DateTime> occurredAt = [];
    private readonly List<string> data = [];
    private readonly List<string> metadata = [];
    private readonly List<byte[]> entryHashes = [];
    private string tenantId = "";
    private string[] streams = [];
    private long[] expected = [];

    public Dictionary<string, long> NewVersions { get; } = [];

    public static AppendBatch Build(string tenantId, IReadOnlyList<StreamAppend> appends, long[] expected)
    {
        var batch = new AppendBatch { tenantId = tenantId, streams = appends.Select(a => a.StreamId).ToArray(), expected = expected };
        for (var i = 0; i < appends.Count; i++)
        {
            var version = expected[i];
            foreach (var e in appends[i].Events)
                batch.Add(appends[i].StreamId, ++version, e);
            batch.NewVersions[appends[i].StreamId] = version;
        }
        return batch;
    }

    private void Add(string streamId, long version, EventToAppend e)
    {
        var at = LedgerRecord.TruncateToMicroseconds(e.OccurredAt);
        var meta = LedgerRecord.MetadataJson(e.Metadata);
        eventIds.Add(e.EventId);
        streamIds.Add(streamId);
        versions.Add(version);
        types.Add(e.EventType);
        typeVersions.Add(e.TypeVersion);
        occurredAt.Add(at.UtcDateTime);
        data.Add(e.Data.GetRawText());
        metadata.Add(meta.GetRawText());
        entryHashes.Add(LedgerRecord.EntryHash(tenantId, streamId, version, e.EventId, e.EventType, e.TypeVersion, at, e.Data, meta));
    }

    public void AddParameters(NpgsqlParameterCollection p)
    {
        p.Add(new() { Value = tenantId });
        p.Add(new() { Value = streams });
        p.Add(new() { Value = expected });
        p.Add(new() { Value = eventIds.ToArray() });
        p.Add(new() { Value = streamIds.ToArray() });
        p.Add(new() { Value = versions.ToArray() });
        p.Add(new() { Value = types.ToArray() });
        p.Add(new() { Value = typeVersions.ToArray() });
        p.Add(new() { Value = occurredAt.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        p.Add(new() { Value = data.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        p.Add(new() { Value = metadata.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        p.Add(new() { Value = entryHashes.ToArray() });
    }
}

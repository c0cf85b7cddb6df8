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

    public int EventCount => eventIds.Count;

    /// <summary>
    /// The parameters of <c>append_events_grouped</c> (migration 0002): several appends of one tenant, flattened in order,
    /// with how many streams and events each one has.
    /// </summary>
    public static void AddGroupParameters(string tenantId, IReadOnlyList<AppendBatch> batches, NpgsqlParameterCollection p)
    {
        p.Add(new() { Value = tenantId });
        p.Add(new() { Value = batches.Select(b => b.streams.Length).ToArray() });
        p.Add(new() { Value = batches.Select(b => b.eventIds.Count).ToArray() });
        p.Add(new() { Value = batches.SelectMany(b => b.streams).ToArray() });
        p.Add(new() { Value = batches.SelectMany(b => b.expected).ToArray() });
        p.Add(new() { Value = batches.SelectMany(b => b.streams.Select(s => b.NewVersions[s])).ToArray() });
        p.Add(new() { Value = batches.SelectMany(b => b.eventIds).ToArray() });
        p.Add(new() { Value = batches.SelectMany(b => b.streamIds).ToArray() });
        p.Add(new() { Value = batches.SelectMany(b => b.versions).ToArray() });
        p.Add(new() { Value = batches.SelectMany(b => b.types).ToArray() });
        p.Add(new() { Value = batches.SelectMany(b => b.typeVersions).ToArray() });
        p.Add(new() { Value = batches.SelectMany(b => b.occurredAt).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        p.Add(new() { Value = batches.SelectMany(b => b.data).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        p.Add(new() { Value = batches.SelectMany(b => b.metadata).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        p.Add(new() { Value = batches.SelectMany(b => b.entryHashes).ToArray() });
    }

    public void AddParameters(NpgsqlParameterCollection p)
    {
        p.Add(new() { Value = tenantId });
        p.Add(new() { Value = streams });
        p.Add(new() { Value = expected });
        p.Add(new() { Value = streams.Select(s => NewVersions[s]).ToArray() });
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

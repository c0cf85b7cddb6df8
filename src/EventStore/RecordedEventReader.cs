using System.Text.Json;
using Ledger.EventStore.Chain;
using Npgsql;

namespace Ledger.EventStore;

/// <summary>Maps rows of <c>events</c> to <see cref="RecordedEvent"/>; the one column list every read uses.</summary>
internal static class RecordedEventReader
{
    public const string Columns =
        "(tx_id::text)::bigint, seq, tenant_id, stream_id, stream_version, event_id, event_type, type_version, " +
        "occurred_at, data::text, metadata::text, chain_seq, entry_hash, chain_hash, recorded_at";

    public static async Task<IReadOnlyList<RecordedEvent>> ReadAll(NpgsqlCommand command, CancellationToken ct)
    {
        var events = new List<RecordedEvent>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) events.Add(Read(reader));
        return events;
    }

    private static RecordedEvent Read(NpgsqlDataReader r) => new(
        Position: new GlobalPosition((ulong)r.GetInt64(0), r.GetInt64(1)),
        TenantId: r.GetString(2),
        StreamId: r.GetString(3),
        StreamVersion: r.GetInt64(4),
        EventId: r.GetGuid(5),
        EventType: r.GetString(6),
        TypeVersion: r.GetInt32(7),
        OccurredAt: r.GetFieldValue<DateTimeOffset>(8),
        Data: ParseJson(r.GetString(9)),
        Metadata: LedgerRecord.ParseMetadata(ParseJson(r.GetString(10))),
        ChainSeq: r.GetInt64(11),
        EntryHash: r.GetFieldValue<byte[]>(12),
        ChainHash: r.GetFieldValue<byte[]>(13),
        RecordedAt: r.GetFieldValue<DateTimeOffset>(14));

    public static JsonElement ParseJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}

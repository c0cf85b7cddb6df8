using Ledger.EventStore.Chain;
using Npgsql;

namespace Ledger.EventStore.MartenStore;

/// <summary>
/// Maps rows of <c>ledger_records</c> (r) joined with <c>ledger_chain</c> (c) to <see cref="RecordedEvent"/>: the
/// sealed ledger as its readers (the relay, exports, verifiers) read it.
/// </summary>
public static class LedgerRows
{
    public const string Columns =
        "r.seq, r.tenant_id, r.stream_id, r.stream_version, r.event_id, r.event_type, r.type_version, r.occurred_at, " +
        "r.data::text, r.metadata::text, c.chain_seq, c.entry_hash, c.chain_hash, c.sealed_at";

    public static async Task<IReadOnlyList<RecordedEvent>> ReadAll(NpgsqlCommand command, CancellationToken ct)
    {
        var events = new List<RecordedEvent>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) events.Add(Read(reader));
        return events;
    }

    public static System.Text.Json.JsonElement ParseJson(string json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static RecordedEvent Read(NpgsqlDataReader r)
    {
        var sealedEntry = !r.IsDBNull(10);
        var occurredAt = r.GetFieldValue<DateTimeOffset>(7);
        return new RecordedEvent(
            Position: new GlobalPosition(r.GetInt64(0)),
            TenantId: r.GetString(1),
            StreamId: r.GetString(2),
            StreamVersion: r.GetInt64(3),
            EventId: r.GetGuid(4),
            EventType: r.GetString(5),
            TypeVersion: r.GetInt32(6),
            OccurredAt: occurredAt,
            Data: ParseJson(r.GetString(8)),
            Metadata: LedgerRecord.ParseMetadata(ParseJson(r.GetString(9))),
            ChainSeq: sealedEntry ? r.GetInt64(10) : 0,
            EntryHash: sealedEntry ? r.GetFieldValue<byte[]>(11) : [],
            ChainHash: sealedEntry ? r.GetFieldValue<byte[]>(12) : [],
            RecordedAt: sealedEntry ? r.GetFieldValue<DateTimeOffset>(13) : occurredAt);
    }
}

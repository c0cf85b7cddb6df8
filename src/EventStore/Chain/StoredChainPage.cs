using System.Buffers;
using Npgsql;

namespace Ledger.EventStore.Chain;

/// <summary>
/// One page of a tenant's chain as the store sent it: each row's fields, with its <c>data</c> and <c>metadata</c> kept
/// as the UTF-8 JSON text they arrived in (packed in one array), not yet canonical. Reading a page and rebuilding its
/// records are separate steps, so that the verifier can read the next page while it hashes this one.
/// </summary>
internal sealed class StoredChainPage
{
    /// <summary>The columns <see cref="Add"/> reads, in its order; the tenant is the query's own.</summary>
    public const string Columns =
        "chain_seq, stream_id, stream_version, event_id, event_type, type_version, occurred_at, data::text, metadata::text, entry_hash, chain_hash";

    private readonly List<Row> rows;
    private byte[] json;
    private int jsonLength;

    public StoredChainPage(string tenantId, int capacity)
    {
        TenantId = tenantId;
        rows = new(capacity);
        json = new byte[Math.Max(capacity, 1) * 512];
    }

    private readonly record struct Row(
        long ChainSeq, string StreamId, long StreamVersion, Guid EventId, string EventType, int TypeVersion,
        DateTimeOffset OccurredAt, int DataStart, int DataLength, int MetadataLength, byte[] EntryHash, byte[] ChainHash);

    public string TenantId { get; }

    public int Count => rows.Count;

    public long LastSeq => rows[^1].ChainSeq;

    public long ChainSeq(int i) => rows[i].ChainSeq;

    public byte[] EntryHash(int i) => rows[i].EntryHash;

    public byte[] ChainHash(int i) => rows[i].ChainHash;

    public void Add(NpgsqlDataReader r)
    {
        var (dataStart, dataLength) = AppendText(r, 7);
        var (_, metadataLength) = AppendText(r, 8);
        rows.Add(new Row(r.GetInt64(0), r.GetString(1), r.GetInt64(2), r.GetGuid(3), r.GetString(4), r.GetInt32(5),
            r.GetFieldValue<DateTimeOffset>(6), dataStart, dataLength, metadataLength, r.GetFieldValue<byte[]>(9), r.GetFieldValue<byte[]>(10)));
    }

    /// <summary>Writes row <paramref name="i"/>'s canonical record (docs/ledger-format.md §2) to <paramref name="output"/>.</summary>
    public void WriteRecord(int i, IBufferWriter<byte> output)
    {
        var row = rows[i];
        LedgerRecord.WriteCanonical(output, TenantId, row.StreamId, row.StreamVersion, row.EventId, row.EventType, row.TypeVersion,
            row.OccurredAt, json.AsSpan(row.DataStart, row.DataLength), json.AsSpan(row.DataStart + row.DataLength, row.MetadataLength));
    }

    // A text column's raw bytes are its UTF-8: read as such, the JSON is never decoded into a .NET string.
    private (int Start, int Length) AppendText(NpgsqlDataReader r, int ordinal)
    {
        using var stream = r.GetStream(ordinal);
        var length = (int)stream.Length;
        if (json.Length - jsonLength < length) Array.Resize(ref json, Math.Max(jsonLength + length, json.Length * 2));
        stream.ReadExactly(json, jsonLength, length);
        var start = jsonLength;
        jsonLength += length;
        return (start, length);
    }
}

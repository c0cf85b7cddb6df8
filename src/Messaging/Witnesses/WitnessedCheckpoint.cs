using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ledger.EventStore.Chain;
using Ledger.EventStore.Checkpoints;
using Ledger.Messaging.Contracts;
using Ledger.Messaging.Outbox;

namespace Ledger.Messaging.Witnesses;

/// <summary>
/// A stored checkpoint as witnesses are handed it: the JWS (the checkpoint), the Merkle tree it covers, and the same
/// checkpoint as a C2SP signed note (null when no note could be made, see <see cref="CheckpointNotes"/>).
/// </summary>
public sealed record WitnessedCheckpoint(SignedCheckpoint Signed, long TreeSize, byte[] TreeRoot, string? Note)
{
    public const string EventName = "ledger.checkpoint.signed";
    public const int EventVersion = 1;
    public static readonly string MessageType = MessageTypes.Of(EventName, EventVersion);

    /// <summary>The message types witnesses publish (schemas/ must hold each).</summary>
    public static IReadOnlyList<string> PublishedTypes { get; } = [MessageType];

    public string TenantId => Signed.Checkpoint.TenantId;

    public long ChainSeq => Signed.Checkpoint.ChainSeq;

    /// <summary>
    /// The event id: a name-based UUID of tenant and position (RFC 9562 version 8, from SHA-256), so every copy of one
    /// checkpoint's event carries the same <c>message_id</c> and consumers deduplicate re-deliveries.
    /// </summary>
    public Guid EventId
    {
        get
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{MessageType}\n{TenantId}\n{ChainSeq}"));
            hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // version 8
            hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC 9562 variant
            return new Guid(hash.AsSpan(0, 16), bigEndian: true);
        }
    }

    /// <summary><c>{tenant_id, chain_seq, chain_hash, tree_size, tree_root, issued_at, kid, jws, note}</c>: no personal data.</summary>
    public JsonElement Payload()
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("tenant_id", TenantId);
            json.WriteNumber("chain_seq", ChainSeq);
            json.WriteString("chain_hash", Convert.ToHexStringLower(Signed.Checkpoint.ChainHash));
            json.WriteNumber("tree_size", TreeSize);
            json.WriteString("tree_root", Convert.ToHexStringLower(TreeRoot));
            json.WriteString("issued_at", LedgerRecord.FormatTimestamp(Signed.Checkpoint.IssuedAt));
            json.WriteString("kid", Signed.Kid);
            json.WriteString("jws", Signed.Jws);
            if (Note is null) json.WriteNull("note");
            else json.WriteString("note", Note);
            json.WriteEndObject();
        }
        return JsonDocument.Parse(buffer.WrittenMemory).RootElement.Clone();
    }

    /// <summary>The integration message (schemas/ledger.checkpoint.signed.v1.json) as the outbox's route publishes it.</summary>
    public IntegrationMessage Message(string producer)
    {
        var id = EventId;
        var traceId = TraceParent.TraceIdFor(null, id);
        var envelope = new IntegrationEnvelope(id, EventName, EventVersion, Signed.Checkpoint.IssuedAt, TenantId,
            CorrelationId: id.ToString("D"), CausationId: null, traceId, producer, Actor: "ledger-checkpointer", Payload());
        return new IntegrationMessage(MessageType, id, envelope.CorrelationId, TenantId, TraceParent.Create(traceId, id),
            Signed.Checkpoint.IssuedAt, producer, envelope.ToUtf8Json());
    }
}

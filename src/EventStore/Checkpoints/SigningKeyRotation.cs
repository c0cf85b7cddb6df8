using System.Text.Json;
using System.Text.Json.Serialization;
using Ledger.EventStore.Chain;

namespace Ledger.EventStore.Checkpoints;

/// <summary>
/// A key rotation as a ledger entry. Before the first checkpoint a tenant gets under a key, the checkpointer appends
/// <c>ledger.signing_key.rotated</c> to that tenant's chain (stream <c>ledger-signing-keys</c>), so every tenant's own
/// chain records which keys vouch for it, and the checkpoint signed next covers that entry.
/// </summary>
public static class SigningKeyRotation
{
    public const string EventType = "ledger.signing_key.rotated";
    public const int EventVersion = 1;
    public const string StreamId = "ledger-signing-keys";
    public const string Actor = "ledger-checkpointer";
    public const string Origin = "system";

    /// <summary>The stored shape of the rotation entry, for Marten's type mapping (the JSON names are the record's own).</summary>
    public static IEnumerable<(string EventType, int TypeVersion, Type Shape)> StoredShapes { get; } = [(EventType, EventVersion, typeof(RotatedV1))];

    public sealed record RotatedV1(
        [property: JsonPropertyName("alg")] string Alg,
        [property: JsonPropertyName("kid")] string Kid,
        [property: JsonPropertyName("public_key")] PublicKeyV1 PublicKey,
        [property: JsonPropertyName("valid_from")] string ValidFrom,
        [property: JsonPropertyName("previous_kid"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PreviousKid = null);

    public sealed record PublicKeyV1(
        [property: JsonPropertyName("crv")] string Crv,
        [property: JsonPropertyName("kty")] string Kty,
        [property: JsonPropertyName("x")] string X,
        [property: JsonPropertyName("y")] string Y);

    public static EventToAppend Event(LedgerPublicKey key, string? previousKid, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(key);
        var data = new RotatedV1("ES256", key.Kid, new PublicKeyV1("P-256", "EC", key.X, key.Y),
            LedgerRecord.FormatTimestamp(key.ValidFrom ?? now), previousKid);
        return new EventToAppend(Guid.CreateVersion7(now), EventType, EventVersion, now, JsonSerializer.SerializeToElement(data),
            new EventMetadata(Guid.NewGuid().ToString("D"), null, Actor, null, Origin));
    }

    /// <summary>The key id a rotation entry announces.</summary>
    public static string? AnnouncedKid(RecordedEvent recorded) =>
        recorded?.EventType == EventType && recorded.Data.TryGetProperty("kid", out var kid) ? kid.GetString() : null;
}

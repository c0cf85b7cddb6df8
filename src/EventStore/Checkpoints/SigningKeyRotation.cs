using System.Text.Json;
using System.Text.Json.Serialization;
using Ledger.EventStore.Chain;

namespace Ledger.EventStore.Checkpoints;

/// <summary>
/// Key rotations and revocations as ledger entries. Before the first checkpoint a tenant gets under a key, the
/// checkpointer appends <c>ledger.signing_key.rotated</c> to that tenant's chain (stream <c>ledger-signing-keys</c>), so
/// every tenant's own chain records which keys vouch for it, and the checkpoint signed next covers that entry. A
/// revocation (<c>ledger.signing_key.revoked</c>) is appended to every tenant's chain by <c>ledger checkpoints
/// revoke-key</c>, and by the checkpointer to any chain that lacks it (a tenant that began later).
/// </summary>
public static class SigningKeyRotation
{
    public const string EventType = "ledger.signing_key.rotated";
    public const string RevokedEventType = "ledger.signing_key.revoked";
    public const int EventVersion = 1;
    public const string StreamId = "ledger-signing-keys";
    public const string Actor = "ledger-checkpointer";
    public const string Origin = "system";

    /// <summary>The stored shape of the rotation entry, for Marten's type mapping (the JSON names are the record's own).</summary>
    public static IEnumerable<(string EventType, int TypeVersion, Type Shape)> StoredShapes { get; } =
        [(EventType, EventVersion, typeof(RotatedV1)), (RevokedEventType, EventVersion, typeof(RevokedV1))];

    public sealed record RotatedV1(
        [property: JsonPropertyName("alg")] string Alg,
        [property: JsonPropertyName("kid")] string Kid,
        [property: JsonPropertyName("public_key")] PublicKeyV1 PublicKey,
        [property: JsonPropertyName("valid_from")] string ValidFrom,
        [property: JsonPropertyName("previous_kid"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PreviousKid = null);

    /// <summary>No personal data: the reason is an operator's note ("key file leaked"), recorded in every tenant's chain.</summary>
    public sealed record RevokedV1(
        [property: JsonPropertyName("kid")] string Kid,
        [property: JsonPropertyName("reason")] string Reason,
        [property: JsonPropertyName("revoked_at")] string RevokedAt);

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

    public static EventToAppend RevokedEvent(LedgerPublicKey key, string reason, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(key);
        var data = new RevokedV1(key.Kid, reason, LedgerRecord.FormatTimestamp(key.RevokedAt ?? now));
        return new EventToAppend(Guid.CreateVersion7(now), RevokedEventType, EventVersion, now, JsonSerializer.SerializeToElement(data),
            new EventMetadata(Guid.NewGuid().ToString("D"), null, Actor, null, Origin));
    }

    /// <summary>
    /// Brings the tenant's <c>ledger-signing-keys</c> stream up to date with the key history: an entry for every revoked
    /// key it does not record yet, then, given <paramref name="activeKid"/>, the rotation to it if its last rotation entry
    /// names another key. Returns the position of what it appended (null when nothing was missing, or a concurrent
    /// signer or command appended the same first).
    /// </summary>
    public static async Task<long?> RecordAsync(
        IEventStore store, string tenantId, LedgerKeySet keys, string? activeKid, IReadOnlyDictionary<string, string> reasons,
        DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(reasons);
        var recorded = await store.ReadStreamAsync(tenantId, StreamId, ct: ct);
        var revoked = recorded.Where(e => e.EventType == RevokedEventType).Select(KidOf).ToHashSet(StringComparer.Ordinal);
        var missing = keys.Keys.Where(k => k.RevokedAt is not null && !revoked.Contains(k.Kid))
            .Select(k => RevokedEvent(k, reasons.GetValueOrDefault(k.Kid, "revoked"), now)).ToList();
        var lastRotation = recorded.LastOrDefault(e => e.EventType == EventType);
        if (activeKid is not null && (lastRotation is null ? null : KidOf(lastRotation)) != activeKid)
        {
            var current = keys.Find(activeKid) ?? throw new InvalidOperationException($"key {activeKid} is not in the key history");
            var index = keys.Keys.ToList().IndexOf(current);
            missing.Add(Event(current, index > 0 ? keys.Keys[index - 1].Kid : null, now));
        }
        if (missing.Count == 0) return null;
        try
        {
            var appended = await store.AppendAsync(tenantId, [new StreamAppend(StreamId, ExpectedVersion.Exactly(recorded.Count), missing)], ct);
            return appended.LastPosition.Seq;
        }
        catch (ConcurrencyException)
        {
            return null; // another signer, or the revoke-key command, recorded them at the same moment
        }
    }

    private static string? KidOf(RecordedEvent recorded) =>
        recorded.Data.TryGetProperty("kid", out var kid) ? kid.GetString() : null;
}

using System.Text.Json;
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

    public static EventToAppend Event(LedgerPublicKey key, string? previousKid, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(key);
        var data = new Dictionary<string, object>
        {
            ["alg"] = "ES256",
            ["kid"] = key.Kid,
            ["public_key"] = new Dictionary<string, string> { ["crv"] = "P-256", ["kty"] = "EC", ["x"] = key.X, ["y"] = key.Y },
            ["valid_from"] = LedgerRecord.FormatTimestamp(key.ValidFrom ?? now),
        };
        if (previousKid is not null) data["previous_kid"] = previousKid;
        return new EventToAppend(Guid.CreateVersion7(now), EventType, EventVersion, now, JsonSerializer.SerializeToElement(data),
            new EventMetadata(Guid.NewGuid().ToString("D"), null, Actor, null, Origin));
    }

    /// <summary>The key id a rotation entry announces.</summary>
    public static string? AnnouncedKid(RecordedEvent recorded) =>
        recorded?.EventType == EventType && recorded.Data.TryGetProperty("kid", out var kid) ? kid.GetString() : null;
}

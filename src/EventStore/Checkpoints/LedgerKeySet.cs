using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Ledger.EventStore.Canonical;
using Ledger.EventStore.Chain;

namespace Ledger.EventStore.Checkpoints;

/// <summary>
/// One public key of the signing-key history: a JWK (RFC 7517/7518: kty EC, crv P-256) with when it was valid.
/// <see cref="ValidUntil"/> is when the next key took over (null for the active key); a key that has been
/// superseded is <see cref="Retired"/> but stays in the set, so what it signed stays verifiable. A key
/// <see cref="RevokedAt"/> a time (it leaked, say) vouches for nothing it signed from then on, whatever its validity.
/// </summary>
public sealed record LedgerPublicKey(
    string Kid, string X, string Y, DateTimeOffset? ValidFrom, DateTimeOffset? ValidUntil, bool Retired, DateTimeOffset? RevokedAt = null)
{
    /// <summary>Was this key the one to sign at <paramref name="at"/>, and not yet revoked? Unbounded ends (a hand-made key set) always hold.</summary>
    public bool ValidAt(DateTimeOffset at) => Refusal(at) is null;

    /// <summary>Why a signature this key made at <paramref name="at"/> does not count, or null when it does.</summary>
    public string? Refusal(DateTimeOffset at) =>
        RevokedAt is { } revoked && at >= revoked
            ? $"it was signed at {LedgerRecord.FormatTimestamp(at)}, after key {Kid} was revoked at {LedgerRecord.FormatTimestamp(revoked)}"
            : (ValidFrom is null || at >= ValidFrom) && (ValidUntil is null || at < ValidUntil)
                ? null
                : $"it was signed outside the validity of key {Kid} ({Validity})";

    public string Validity => $"{(ValidFrom is { } f ? LedgerRecord.FormatTimestamp(f) : "the start")} until {(ValidUntil is { } u ? LedgerRecord.FormatTimestamp(u) : "now")}";

    /// <summary>ES256 verification of <paramref name="signature"/> (R ‖ S, 64 bytes) over <paramref name="data"/>.</summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != 64) return false;
        try
        {
            using var key = ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = Base64Url.DecodeFromChars(X), Y = Base64Url.DecodeFromChars(Y) },
            });
            return key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return false;
        }
    }
}

/// <summary>
/// The signing-key history as a JWK Set (RFC 7517 §5), published at <c>GET /api/ledger/jwks</c> and put in every
/// export. Each key carries, beyond the standard members, <c>valid_from</c>, <c>valid_until</c>, <c>retired</c> and, once
/// revoked, <c>revoked_at</c>.
/// </summary>
public sealed class LedgerKeySet(IReadOnlyList<LedgerPublicKey> keys)
{
    public IReadOnlyList<LedgerPublicKey> Keys { get; } = keys;

    public LedgerPublicKey? Find(string kid) => Keys.FirstOrDefault(k => k.Kid == kid);

    public byte[] ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("keys");
            foreach (var key in Keys)
            {
                // Members in RFC 8785 order, so the file is canonical JSON like every other file of an export.
                writer.WriteStartObject();
                writer.WriteString("alg", "ES256");
                writer.WriteString("crv", "P-256");
                writer.WriteString("kid", key.Kid);
                writer.WriteString("kty", "EC");
                writer.WriteBoolean("retired", key.Retired);
                if (key.RevokedAt is { } revoked) writer.WriteString("revoked_at", LedgerRecord.FormatTimestamp(revoked));
                writer.WriteString("use", "sig");
                if (key.ValidFrom is { } from) writer.WriteString("valid_from", LedgerRecord.FormatTimestamp(from));
                if (key.ValidUntil is { } until) writer.WriteString("valid_until", LedgerRecord.FormatTimestamp(until));
                writer.WriteString("x", key.X);
                writer.WriteString("y", key.Y);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return JsonCanonicalizer.Canonicalize(buffer.WrittenSpan);
    }

    /// <summary>Reads a JWK Set; keys that are not EC P-256 signing keys are left out.</summary>
    /// <exception cref="FormatException">not a JWK Set.</exception>
    public static LedgerKeySet Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            if (!document.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
                throw new FormatException("a JWK Set is an object with a keys array");
            var parsed = new List<LedgerPublicKey>();
            foreach (var key in keys.EnumerateArray())
            {
                if (key.ValueKind != JsonValueKind.Object || Text(key, "kty") != "EC" || Text(key, "crv") != "P-256") continue;
                if (Text(key, "alg") is { } alg && alg != "ES256") continue;
                if (Text(key, "use") is { } use && use != "sig") continue;
                var (kid, x, y) = (Text(key, "kid"), Text(key, "x"), Text(key, "y"));
                if (kid is null || x is null || y is null) throw new FormatException("a key lacks kid, x or y");
                parsed.Add(new LedgerPublicKey(kid, x, y, Time(key, "valid_from"), Time(key, "valid_until"),
                    key.TryGetProperty("retired", out var r) && r.ValueKind == JsonValueKind.True, Time(key, "revoked_at")));
            }
            return new LedgerKeySet(parsed);
        }
        catch (JsonException e)
        {
            throw new FormatException("not JSON: " + e.Message, e);
        }
    }

    private static string? Text(JsonElement key, string name) =>
        key.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Time(JsonElement key, string name) =>
        Text(key, name) is { } text ? ParseTimestamp(text, name) : null;

    /// <summary>The format's one timestamp shape: <c>YYYY-MM-DDTHH:MM:SS.ffffffZ</c>.</summary>
    public static DateTimeOffset ParseTimestamp(string text, string what) =>
        DateTimeOffset.TryParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at
            : throw new FormatException($"{what} is not a timestamp like 2026-11-23T16:18:16.123456Z");
}

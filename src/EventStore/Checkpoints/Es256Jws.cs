using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Ledger.EventStore.Canonical;

namespace Ledger.EventStore.Checkpoints;

/// <summary>What a JWS verified to: the payload it signs and the key that signed it, or why it does not verify.</summary>
public sealed record JwsVerification(byte[]? Payload, LedgerPublicKey? Key, string? Error)
{
    public bool Succeeded => Error is null;
}

/// <summary>
/// JWS compact serialisation (RFC 7515) with ES256 only. The protected header is <c>{"alg":"ES256","kid":…,"typ":…}</c>;
/// <c>typ</c> says what is signed (a checkpoint, an export manifest), so a signature over one can never be passed off
/// as the other. A detached JWS (RFC 7515 Appendix F) leaves the payload part empty: the payload is a file beside it.
/// </summary>
public static class Es256Jws
{
    public const string CheckpointType = "ledger-checkpoint+jws";
    public const string ManifestType = "ledger-export-manifest+jws";

    public static string Sign(CheckpointKey key, string type, ReadOnlySpan<byte> payload, bool detached = false)
    {
        ArgumentNullException.ThrowIfNull(key);
        var header = Base64Url.EncodeToString(Header(key.Kid, type));
        var body = Base64Url.EncodeToString(payload);
        var signature = Base64Url.EncodeToString(key.Sign(Encoding.ASCII.GetBytes(header + "." + body)));
        return header + "." + (detached ? "" : body) + "." + signature;
    }

    /// <summary>
    /// Verifies <paramref name="jws"/> with a key of <paramref name="keys"/> named by its <c>kid</c>; for a detached JWS
    /// pass the payload. Never throws for malformed input: that is an error like any other.
    /// </summary>
    public static JwsVerification Verify(string jws, LedgerKeySet keys, string type, byte[]? detachedPayload = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var parts = (jws ?? "").Trim().Split('.');
        if (parts.Length != 3) return Fail("not a JWS in compact serialisation (three base64url parts)");
        try
        {
            using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
            var h = header.RootElement;
            if (h.ValueKind != JsonValueKind.Object) return Fail("the JWS header is not a JSON object");
            if (Text(h, "alg") != "ES256") return Fail($"alg {Text(h, "alg") ?? "(none)"} is not accepted; only ES256 is");
            if (Text(h, "typ") != type) return Fail($"typ {Text(h, "typ") ?? "(none)"} is not {type}");
            if (h.TryGetProperty("crit", out _)) return Fail("the JWS header has crit members this verifier does not understand");
            if (Text(h, "kid") is not { } kid) return Fail("the JWS header has no kid");

            byte[] payload;
            if (detachedPayload is not null)
            {
                if (parts[1].Length != 0) return Fail("expected a detached JWS (empty payload part)");
                payload = detachedPayload;
            }
            else payload = Base64Url.DecodeFromChars(parts[1]);

            if (keys.Find(kid) is not { } key) return Fail($"key {kid} is not in the key set");
            var signingInput = Encoding.ASCII.GetBytes(parts[0] + "." + Base64Url.EncodeToString(payload));
            if (detachedPayload is null && parts[1] != Base64Url.EncodeToString(payload))
                return Fail("the payload is not in canonical base64url");
            return key.Verify(signingInput, Base64Url.DecodeFromChars(parts[2]))
                ? new JwsVerification(payload, key, null)
                : Fail($"the signature does not verify with key {kid}");
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return Fail("the JWS is malformed: " + e.Message);
        }
    }

    /// <summary>The payload of a compact JWS, unverified: only to say what a bad one claims.</summary>
    public static byte[]? UnverifiedPayload(string jws)
    {
        var parts = (jws ?? "").Trim().Split('.');
        if (parts.Length != 3) return null;
        try
        {
            return Base64Url.DecodeFromChars(parts[1]);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static byte[] Header(string kid, string type)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("alg", "ES256");
            writer.WriteString("kid", kid);
            writer.WriteString("typ", type);
            writer.WriteEndObject();
        }
        // Canonical (RFC 8785): the writer would escape the + of the typ.
        return JsonCanonicalizer.Canonicalize(buffer.WrittenSpan);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static JwsVerification Fail(string error) => new(null, null, error);
}

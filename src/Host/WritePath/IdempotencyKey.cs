using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Ledger.Host.Errors;

namespace Ledger.Host.WritePath;

/// <summary>
/// The <c>Idempotency-Key</c> a client sends with a write, and the fingerprint of the request it was sent with:
/// a retry must be the same request (method, path, <c>If-Match</c>, caller and body bytes), or the key was reused.
/// </summary>
public static class IdempotencyKey
{
    public const string Header = "Idempotency-Key";
    public const int MaxLength = 255;

    /// <summary>The largest body a fingerprint is taken of; Kestrel refuses larger ones anyway.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>The key, or null when the request has none.</summary>
    /// <exception cref="RequestRejectedException">the header is repeated, empty, too long or not visible ASCII (400).</exception>
    public static string? From(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var values = request.Headers[Header];
        if (values.Count == 0) return null;
        if (values.Count == 1 && values[0] is { Length: > 0 and <= MaxLength } key && key.All(c => c is >= '!' and <= '~'))
            return key;
        throw new RequestRejectedException(StatusCodes.Status400BadRequest, ProblemCodes.IdempotencyKeyInvalid,
            $"{Header} must be one value of 1 to {MaxLength} visible ASCII characters.");
    }

    /// <summary>SHA-256 over the request's parts, each length-prefixed so no two different requests can run together.</summary>
    public static async Task<byte[]> FingerprintAsync(HttpRequest request, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendPart(hash, Encoding.UTF8.GetBytes(request.Method));
        AppendPart(hash, Encoding.UTF8.GetBytes(request.Path.Value + request.QueryString.Value));
        AppendPart(hash, Encoding.UTF8.GetBytes(request.Headers.IfMatch.ToString()));
        AppendPart(hash, Encoding.UTF8.GetBytes(actor));
        AppendPart(hash, await ReadBodyAsync(request, ct));
        return hash.GetHashAndReset();
    }

    private static void AppendPart(IncrementalHash hash, ReadOnlySpan<byte> part)
    {
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(length, part.Length);
        hash.AppendData(length);
        hash.AppendData(part);
    }

    /// <summary>Reads the body for the fingerprint and rewinds it, so the endpoint reads the same bytes after.</summary>
    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes) throw RequestRejectedException.TooLarge(MaxBodyBytes);
        request.EnableBuffering();
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var read = await request.Body.ReadAsync(buffer.GetMemory(4096), ct);
            if (read == 0) break;
            buffer.Advance(read);
            if (buffer.WrittenCount > MaxBodyBytes) throw RequestRejectedException.TooLarge(MaxBodyBytes);
        }
        request.Body.Position = 0;
        return buffer.WrittenSpan.ToArray();
    }
}

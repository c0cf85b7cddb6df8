using System.Buffers;
using System.Text.Json;
using Ledger.Host.Errors;

namespace Ledger.Host.Http;

/// <summary>
/// Reads a request body ourselves rather than through parameter binding, so every way a body can be wrong
/// (too large, not JSON, unknown or missing fields) gets its own precise problem, and nothing runs before it is checked.
/// </summary>
public static class JsonBody
{
    /// <summary>The largest body an order command may have.</summary>
    public const int DefaultLimit = 64 * 1024;

    public static async Task<T> ReadAsync<T>(HttpRequest request, CancellationToken ct, int limit = DefaultLimit)
    {
        var bytes = await ReadBytesAsync(request, limit, ct);
        if (bytes.Length == 0) throw RequestRejectedException.Malformed("The request body is empty; a JSON object is required.");
        return Deserialize<T>(bytes);
    }

    /// <summary>For commands whose body is optional: an empty body is <paramref name="empty"/>, anything else must parse.</summary>
    public static async Task<T> ReadOptionalAsync<T>(HttpRequest request, T empty, CancellationToken ct, int limit = DefaultLimit)
    {
        var bytes = await ReadBytesAsync(request, limit, ct);
        return bytes.Length == 0 ? empty : Deserialize<T>(bytes);
    }

    private static T Deserialize<T>(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(bytes.Span, LedgerJson.Options)
                ?? throw RequestRejectedException.Malformed("The request body must be a JSON object, not null.");
        }
        catch (JsonException e)
        {
            throw RequestRejectedException.Malformed(Describe(e));
        }
    }

    // System.Text.Json's messages name .NET types; the client gets the kind of error and where, in its own terms.
    private static string Describe(JsonException e)
    {
        var at = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "" : $" at {e.Path}";
        if (e.Message.Contains("could not be mapped", StringComparison.Ordinal))
            return $"Unknown field{at}.";
        if (e.Message.Contains("missing required properties", StringComparison.Ordinal))
        {
            var start = e.Message.IndexOf("including: ", StringComparison.Ordinal);
            var fields = start < 0 ? "" : " " + e.Message[(start + 11)..].TrimEnd('.');
            return $"Missing required field(s){fields}.";
        }
        if (e.Message.Contains("null", StringComparison.OrdinalIgnoreCase) && e.Message.Contains("non-nullable", StringComparison.OrdinalIgnoreCase))
            return $"A required value is null{at}.";
        return $"The body is not valid JSON for this request{at}.";
    }

    private static async Task<ReadOnlyMemory<byte>> ReadBytesAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > limit) throw RequestRejectedException.TooLarge(limit);

        var buffer = new ArrayBufferWriter<byte>(Math.Min(limit + 1, 4096));
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            var read = await request.Body.ReadAsync(memory, ct);
            if (read == 0) break;
            buffer.Advance(read);
            if (buffer.WrittenCount > limit) throw RequestRejectedException.TooLarge(limit);
        }

        if (buffer.WrittenCount > 0 && !IsJson(request.ContentType))
            throw new RequestRejectedException(StatusCodes.Status415UnsupportedMediaType, ProblemCodes.UnsupportedMediaType,
                "The request body must be application/json.");
        return buffer.WrittenMemory;
    }

    private static bool IsJson(string? contentType) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));
}

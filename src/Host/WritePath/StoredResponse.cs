using System.Text.Json;

namespace Ledger.Host.WritePath;

/// <summary>
/// A write's answer as it was sent: status, the headers the endpoint set, and the body bytes. The first answer and
/// every replay of it are written by <see cref="ExecuteAsync"/>, so they are byte for byte the same.
/// </summary>
public sealed record StoredResponse(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body) : IResult
{
    // Set per response by the server or by middleware when the response starts, not by the endpoint: not replayed.
    private static readonly HashSet<string> NotStored = new(StringComparer.OrdinalIgnoreCase)
    {
        "Date", "Server", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Set-Cookie",
        Http.CorrelationIdMiddleware.Header,
    };

    /// <summary>
    /// Runs an endpoint into a buffer instead of the client, and keeps what it produced: nothing reaches the client
    /// before the write path has committed.
    /// </summary>
    public static async Task<StoredResponse> CaptureAsync(HttpContext http, Func<Task> endpoint)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(endpoint);
        var response = http.Response;
        var client = response.Body;
        using var buffer = new MemoryStream();
        response.Body = buffer;
        try
        {
            await endpoint();
            await response.BodyWriter.FlushAsync(http.RequestAborted);
        }
        finally
        {
            response.Body = client;
        }
        var headers = response.Headers
            .Where(h => !NotStored.Contains(h.Key))
            .SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v ?? "")))
            .ToList();
        return new StoredResponse(response.StatusCode, headers, buffer.ToArray());
    }

    /// <summary>Says on a replay that it is one; the first answer has no such header (the IETF Idempotency-Key draft's practice).</summary>
    public const string ReplayedHeader = "Idempotent-Replayed";

    /// <summary>The same answer, marked as a replay of it: everything else is byte for byte the first answer.</summary>
    public StoredResponse AsReplay() => this with { Headers = [.. Headers, new(ReplayedHeader, "true")] };

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = Status;
        foreach (var group in Headers.GroupBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
            response.Headers[group.Key] = group.Select(h => h.Value).ToArray();
        response.ContentLength = Body.Length;
        if (Body.Length > 0) await response.Body.WriteAsync(Body, httpContext.RequestAborted);
    }

    /// <summary>The JSON the headers are kept as: an array of [name, value] pairs, in order.</summary>
    public string HeadersJson() => JsonSerializer.Serialize(Headers.Select(h => new[] { h.Key, h.Value }));

    public static IReadOnlyList<KeyValuePair<string, string>> ParseHeaders(string json) =>
        (JsonSerializer.Deserialize<string[][]>(json) ?? []).Select(p => new KeyValuePair<string, string>(p[0], p[1])).ToList();

    /// <summary>The <c>code</c> of a problem-details body, for the audit entry of a refusal answered as a result.</summary>
    public string? ProblemCode()
    {
        try
        {
            using var document = JsonDocument.Parse(Body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String
                ? code.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

using System.Net.Http.Headers;
using System.Text;

namespace Ledger.EndToEnd.Tests.Idempotency;

/// <summary>Sends writes with an <c>Idempotency-Key</c>, and reduces answers to what a retry must reproduce.</summary>
public sealed class IdempotentClient(HttpClient client, string token)
{
    public async Task<HttpResponseMessage> PostAsync(string path, string json, string? key, string? correlationId = null, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (key is not null) request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        if (correlationId is not null) request.Headers.Add("X-Correlation-Id", correlationId);
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return await client.SendAsync(request);
    }

    /// <summary>
    /// Status, every header but Date and <c>Idempotent-Replayed</c>, and the body bytes, as one comparable value; whether
    /// the answer said it was a replay is kept apart, since that is the one thing a replay adds.
    /// </summary>
    public static async Task<Answer> AnswerOf(HttpResponseMessage response)
    {
        var headers = response.Headers.Concat(response.Content.Headers)
            .Where(h => !h.Key.Equals("Date", StringComparison.OrdinalIgnoreCase) && !h.Key.Equals(ReplayedHeader, StringComparison.OrdinalIgnoreCase))
            .Select(h => $"{h.Key.ToLowerInvariant()}: {string.Join(", ", h.Value)}")
            .Order(StringComparer.Ordinal)
            .ToList();
        var replayed = response.Headers.TryGetValues(ReplayedHeader, out var values) && values.SequenceEqual(["true"]);
        return new Answer((int)response.StatusCode, string.Join("\n", headers), Convert.ToHexString(await response.Content.ReadAsByteArrayAsync()))
        {
            Replayed = replayed,
        };
    }

    public const string ReplayedHeader = "Idempotent-Replayed";

    /// <summary>Two answers are equal when a client could not tell them apart but for <see cref="Replayed"/>.</summary>
    public sealed record Answer(int Status, string Headers, string BodyHex)
    {
        public bool Replayed { get; init; }

        public bool Equals(Answer? other) => other is not null && (Status, Headers, BodyHex) == (other.Status, other.Headers, other.BodyHex);

        public override int GetHashCode() => HashCode.Combine(Status, Headers, BodyHex);
    }
}

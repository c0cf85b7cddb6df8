using System.Net.Http.Headers;

namespace Ledger.EndToEnd.Tests.ReadModels;

/// <summary>Reads reports as one caller (a token), with the read-your-writes position and the media type it asks for.</summary>
public sealed class ReportClient(HttpClient client, string? token)
{
    public async Task<HttpResponseMessage> GetAsync(string path, string? minPosition = null, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (minPosition is not null) request.Headers.TryAddWithoutValidation("X-Ledger-Min-Position", minPosition);
        if (accept is not null) request.Headers.Accept.ParseAdd(accept);
        return await client.SendAsync(request);
    }
}

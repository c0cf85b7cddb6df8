using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ledger.Application.Orders;
using Ledger.EventStore;

namespace Ledger.EndToEnd.Tests.Infrastructure;

/// <summary>Calls the order API as one caller (a token), plus a look at what the store holds for an order.</summary>
public sealed class OrderApi(HttpClient client, string token, string tenant, IEventStore store)
{
    public string Tenant { get; } = tenant;

    public const string CreateBody = """
        {"customer_id":"cust-1","currency":"EUR",
         "lines":[{"sku":"SKU-1","description":"Widget","quantity":2,"unit_price":"12.50"}],
         "total":"25.00","customer":{"name":"Ada Lovelace","email":"ada@example.org"}}
        """;

    public async Task<Guid> CreateAsync()
    {
        using var response = await PostAsync("/api/orders", CreateBody);
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("order_id").GetGuid();
    }

    public async Task<HttpResponseMessage> PostAsync(string path, string? json = null, string? ifMatch = null, string mediaType = "application/json")
    {
        using var request = Request(HttpMethod.Post, path);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, mediaType);
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return await client.SendAsync(request);
    }

    public async Task<HttpResponseMessage> PutAsync(string path, string json, string? ifMatch = null, string? idempotencyKey = null)
    {
        using var request = Request(HttpMethod.Put, path);
        request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (idempotencyKey is not null) request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        return await client.SendAsync(request);
    }

    public async Task<HttpResponseMessage> GetAsync(string path)
    {
        using var request = Request(HttpMethod.Get, path);
        return await client.SendAsync(request);
    }

    public async Task<IReadOnlyList<RecordedEvent>> EventsAsync(Guid orderId) =>
        await store.ReadStreamAsync(Tenant, OrderStreams.For(orderId));

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}

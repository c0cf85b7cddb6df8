using System.Net;
using System.Text;
using System.Text.Json;

namespace Ledger.EndToEnd.Tests.Privacy;

/// <summary>The requests the privacy tests make: orders for a person, and reads as JSON.</summary>
internal static class PrivacyApi
{
    public static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<HttpResponseMessage> PostOrderAsync(HttpClient client, string customer, string name, string? email = null,
        string? idempotencyKey = null)
    {
        var personal = email is null ? $$"""{"name":"{{name}}"}""" : $$"""{"name":"{{name}}","email":"{{email}}"}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders")
        {
            Content = Body($$$"""
                {"customer_id":"{{{customer}}}","currency":"EUR","lines":[{"sku":"SKU-1","description":"Widget","quantity":2,"unit_price":"12.50"}],
                 "customer":{{{personal}}}}
                """),
        };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await client.SendAsync(request);
    }

    public static async Task<Guid> CreateOrderAsync(HttpClient client, string customer, string name, string? email = null, string? idempotencyKey = null)
    {
        using var response = await PostOrderAsync(client, customer, name, email, idempotencyKey);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("order_id").GetGuid();
    }

    public static async Task<JsonElement> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> PersonalDataAsync(HttpClient client, Guid orderId) =>
        (await GetAsync(client, $"/api/orders/{orderId}")).GetProperty("personal_data");
}

using System.Net;
using System.Text;
using System.Text.Json;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests.Hardening;

/// <summary>
/// Drives orders and invoices with customers' names, emails, addresses and tax ids through the Host — accepted, refused, malformed — with the
/// Host's own JSON log format written to a file, and proves the logs carry trace id, correlation id and tenant but
/// none of the personal data.
/// </summary>
public sealed class LogPrivacyTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>, IDisposable
{
    private const string Name = "Genoveva Quintanilla-Ostrowska";
    private const string Email = "genoveva.q.ostrowska@example.net";
    private const string TaxId = "48392017V"; // a valid Spanish NIF (check letter V)
    private const string OtherTaxId = "48392017T"; // the same with a wrong check letter
    private const string CompanyTaxId = "B12345674"; // a valid Spanish CIF
    private const string Address = "Calle de Alcalá 4087, 28014 Madrid";

    private readonly string _logFile = Path.Combine(Path.GetTempPath(), $"ledger-log-{Guid.NewGuid():N}.json");

    [Fact]
    public async Task No_name_email_or_tax_id_reaches_the_log()
    {
        var host = await app.With(new()
        {
            // The Host's console format (RenderedCompactJsonFormatter), also written to a file the test can read.
            ["Serilog:Using:0"] = "Serilog.Sinks.File",
            ["Serilog:WriteTo:0:Name"] = "File",
            ["Serilog:WriteTo:0:Args:path"] = _logFile,
            ["Serilog:WriteTo:0:Args:formatter"] = "Serilog.Formatting.Compact.RenderedCompactJsonFormatter, Serilog.Formatting.Compact",
            ["Serilog:MinimumLevel:Default"] = "Debug",
        });
        var tenant = TestDatabase.NewTenant();
        var correlation = "privacy-" + Guid.NewGuid().ToString("N")[..12];
        var client = host.Client();
        client.DefaultRequestHeaders.Authorization = new("Bearer", app.Tokens.For(tenant, LedgerRoles.Clerk));
        client.DefaultRequestHeaders.Add("X-Correlation-Id", correlation);

        var created = await Post(client, "/api/orders", Order(Name, Email), HttpStatusCode.Created);
        var id = JsonDocument.Parse(created).RootElement.GetProperty("order_id").GetString();
        await Post(client, $"/api/orders/{id}/payment-requests", "", HttpStatusCode.OK);
        await Post(client, $"/api/orders/{id}/payments", $$"""{"amount":"25.00","payment_reference":"{{TaxId}}"}""", HttpStatusCode.OK);
        await Post(client, $"/api/orders/{id}/payments", $$"""{"amount":"25.00","payment_reference":"{{OtherTaxId}}"}""", (HttpStatusCode)422);
        await Post(client, $"/api/orders/{id}/cancellation", $$"""{"reason":"{{Name}} <{{Email}}> asked, NIF {{TaxId}}"}""", (HttpStatusCode)422);
        // Refused before anything runs: a field too long, a malformed body, an unknown field, a number for money.
        await Post(client, "/api/orders", Order(Name + new string('x', 300), Email), HttpStatusCode.BadRequest);
        await Post(client, "/api/orders", $$"""{"customer":{"name":"{{Name}}","email":"{{Email}}"}""", HttpStatusCode.BadRequest);
        await Post(client, "/api/orders", Order(Name, Email).Replace("\"currency\"", $"\"{TaxId}\":1,\"currency\"", StringComparison.Ordinal), HttpStatusCode.BadRequest);
        // An invoice to a person with a tax id and an address, stamped in the background; one with a bad tax id.
        var invoice = await Post(client, "/api/invoices", Invoice(TaxId), HttpStatusCode.Created);
        var invoiceId = JsonDocument.Parse(invoice).RootElement.GetProperty("id").GetString();
        await Post(client, "/api/invoices", Invoice(OtherTaxId), HttpStatusCode.BadRequest);
        await Post(client, "/api/invoices", Invoice(CompanyTaxId).Replace("\"EUR\"", "\"EUR\",\"iban\":\"x\"", StringComparison.Ordinal), HttpStatusCode.BadRequest);
        await Eventually.Until(async () =>
        {
            using var got = await client.GetAsync($"/api/invoices/{invoiceId}");
            return JsonDocument.Parse(await got.Content.ReadAsStringAsync()).RootElement.GetProperty("stamp_status").GetString();
        }, status => status == "stamped", TimeSpan.FromSeconds(20), "the background stamp");
        // Personal data in the URL and the query string too.
        using (var lookup = await client.GetAsync($"/api/orders/{Uri.EscapeDataString(Email)}?name={Uri.EscapeDataString(Name)}&nif={TaxId}"))
            ((int)lookup.StatusCode).ShouldBeInRange(400, 404);
        using (var stray = await client.GetAsync($"/customers/{TaxId}/{Uri.EscapeDataString(Email)}"))
            stray.StatusCode.ShouldBe(HttpStatusCode.NotFound);

        await host.DisposeAsync(); // flushes the logger

        var log = await ReadLog();
        var lines = log.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBeGreaterThan(5, "the capture works");
        var ours = lines.Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.TryGetProperty("CorrelationId", out var c) && c.GetString() == correlation).ToList();
        ours.ShouldNotBeEmpty("the requests were logged with their correlation id");
        ours.Any(e => e.TryGetProperty("TenantId", out var t) && t.GetString() == tenant).ShouldBeTrue("with the tenant");
        ours.All(e => e.TryGetProperty("@tr", out var trace) && trace.GetString()!.Length == 32).ShouldBeTrue("every event has its W3C trace id");
        foreach (var secret in new[] { Name, "Genoveva", "Ostrowska", Email, "example.net", TaxId, OtherTaxId, CompanyTaxId, "Alcal", "28014", Uri.EscapeDataString(Email) })
            log.ShouldNotContain(secret, Case.Insensitive, $"'{secret}' reached the log");
    }

    private static string Order(string name, string email) => $$$"""
        {"customer_id":"cust-77","currency":"EUR",
         "lines":[{"sku":"SKU-1","description":"Widget","quantity":2,"unit_price":"12.50"}],
         "total":"25.00","customer":{"name":"{{{name}}}","email":"{{{email}}}"}}
        """;

    private static string Invoice(string taxId) => $$$"""
        {"series":"P-2026","customer":{"customer_id":"cust-77","tax_id":{"country":"ES","value":"{{{taxId}}}"},
         "name":"{{{Name}}}","address":"{{{Address}}}"},"currency":"EUR",
         "lines":[{"description":"Consulting","quantity":"1","unit_price":"100.00","tax_category":"es.vat.general"}]}
        """;

    private static async Task<string> Post(HttpClient client, string path, string body, HttpStatusCode expected)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(expected, text);
        return text;
    }

    private async Task<string> ReadLog()
    {
        // The file sink may roll; read every file it wrote.
        var directory = Path.GetDirectoryName(_logFile)!;
        var text = new StringBuilder();
        foreach (var file in Directory.GetFiles(directory, Path.GetFileNameWithoutExtension(_logFile) + "*"))
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            text.Append(await reader.ReadToEndAsync());
        }
        return text.ToString();
    }

    public void Dispose()
    {
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(_logFile)!, Path.GetFileNameWithoutExtension(_logFile) + "*"))
            File.Delete(file);
    }
}

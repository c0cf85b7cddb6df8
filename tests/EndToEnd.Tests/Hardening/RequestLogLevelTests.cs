using System.Net;
using System.Text;
using System.Text.Json;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.Host.Logging;
using Ledger.TestSupport;
using Serilog.Events;

namespace Ledger.EndToEnd.Tests.Hardening;

/// <summary>
/// One line per request is written only where an operator needs it at the default level: refusals, failures and slow
/// requests. A successful request's line is Debug (the request metrics still count it), and one override brings
/// every request's line back.
/// </summary>
public sealed class RequestLogLevelTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>, IDisposable
{
    private const string Order = """
        {"customer_id":"cust-1","currency":"EUR","lines":[{"sku":"SKU-1","description":"Widget","quantity":1,"unit_price":"5.00"}]}
        """;

    private readonly string _logFile = Path.Combine(Path.GetTempPath(), $"ledger-request-log-{Guid.NewGuid():N}.json");

    [Theory]
    [InlineData(201, 3.0, false, LogEventLevel.Debug)]
    [InlineData(200, 999.0, false, LogEventLevel.Debug)]
    [InlineData(201, 1500.0, false, LogEventLevel.Warning)]
    [InlineData(400, 2.0, false, LogEventLevel.Information)]
    [InlineData(401, 2.0, false, LogEventLevel.Information)]
    [InlineData(403, 2.0, false, LogEventLevel.Information)]
    [InlineData(429, 2.0, false, LogEventLevel.Information)]
    [InlineData(500, 2.0, false, LogEventLevel.Error)]
    [InlineData(200, 2.0, true, LogEventLevel.Error)]
    public void A_request_is_as_loud_as_what_an_operator_must_see(int status, double elapsedMs, bool threw, LogEventLevel expected) =>
        LoggingSetup.RequestLevel(status, elapsedMs, threw ? new InvalidOperationException("boom") : null).ShouldBe(expected);

    [Fact]
    public async Task At_the_default_level_a_refused_request_is_logged_and_an_accepted_one_is_not()
    {
        var lines = await RequestLines(new() { ["Serilog:MinimumLevel:Default"] = "Information", [NeverSlow.Key] = NeverSlow.Value });

        lines.ShouldNotContain(l => Status(l) == 201, "an accepted command writes no line at Information");
        var refused = lines.Single(l => Status(l) == 400);
        refused.TryGetProperty("@l", out _).ShouldBeFalse("Information, which the compact format leaves unnamed");
        refused.GetProperty("SourceContext").GetString().ShouldBe(LoggingSetup.RequestLogSource);
        lines.ShouldContain(l => Status(l) == 401, "an unauthenticated request is logged");
    }

    [Fact]
    public async Task An_override_of_the_request_source_logs_every_request()
    {
        var lines = await RequestLines(new()
        {
            ["Serilog:MinimumLevel:Default"] = "Information",
            [$"Serilog:MinimumLevel:Override:{LoggingSetup.RequestLogSource}"] = "Debug",
            [NeverSlow.Key] = NeverSlow.Value,
        });

        var accepted = lines.Single(l => Status(l) == 201);
        accepted.GetProperty("@l").GetString().ShouldBe("Debug");
        accepted.GetProperty("RouteTemplate").GetString().ShouldBe("/api/orders");
    }

    [Fact]
    public async Task A_slow_accepted_request_is_logged_as_a_warning()
    {
        var lines = await RequestLines(new() { ["Serilog:MinimumLevel:Default"] = "Information", [LoggingSetup.SlowRequestSetting] = "0" });

        lines.Single(l => Status(l) == 201).GetProperty("@l").GetString().ShouldBe("Warning");
    }

    [Fact]
    public async Task A_refused_command_is_an_answer_not_an_error_in_the_log()
    {
        var id = Guid.NewGuid();
        var lines = await LogLines(new() { ["Serilog:MinimumLevel:Default"] = "Information", [NeverSlow.Key] = NeverSlow.Value },
            async (client, token) =>
            {
                (await Post(client, token, "{\"order_id\":\"" + id + "\"," + Order.TrimStart()[1..])).ShouldBe(HttpStatusCode.Created);
                (await Post(client, token, "", $"/api/orders/{id}/fulfilment")).ShouldBe(HttpStatusCode.UnprocessableEntity);
                (await Post(client, token, """{"reason":"changed mind"}""", $"/api/orders/{id}/cancellation", ifMatch: "\"7\"")).ShouldBe(HttpStatusCode.Conflict);
            });

        lines.Where(l => l.TryGetProperty("@l", out var level) && level.GetString() == "Error").Select(l => l.GetRawText())
            .ShouldBeEmpty("a refusal (422, 409) is no error: the handler's failure is not logged again as one");
        var requests = lines.Where(IsRequestLine).ToList();
        requests.ShouldContain(l => Status(l) == 422);
        requests.ShouldContain(l => Status(l) == 409);
    }

    // The first requests of a fresh Host on a loaded machine can pass the default second; these tests are about status.
    private static readonly KeyValuePair<string, string?> NeverSlow = new(LoggingSetup.SlowRequestSetting, "600000");

    /// <summary>One accepted create-order, one malformed one and one without a token; the request lines they left.</summary>
    private async Task<List<JsonElement>> RequestLines(Dictionary<string, string?> settings) =>
        [.. (await LogLines(settings, async (client, token) =>
        {
            (await Post(client, token, Order)).ShouldBe(HttpStatusCode.Created);
            (await Post(client, token, "{")).ShouldBe(HttpStatusCode.BadRequest);
            (await Post(client, null, Order)).ShouldBe(HttpStatusCode.Unauthorized);
        })).Where(IsRequestLine)];

    private static bool IsRequestLine(JsonElement e) =>
        e.TryGetProperty("SourceContext", out var source) && source.GetString() == LoggingSetup.RequestLogSource;

    /// <summary>Every line a Host with <paramref name="settings"/> logged while <paramref name="act"/> ran (with a clerk's token).</summary>
    private async Task<List<JsonElement>> LogLines(Dictionary<string, string?> settings, Func<HttpClient, string, Task> act)
    {
        settings["Serilog:Using:0"] = "Serilog.Sinks.File";
        settings["Serilog:WriteTo:0:Name"] = "File";
        settings["Serilog:WriteTo:0:Args:path"] = _logFile;
        settings["Serilog:WriteTo:0:Args:formatter"] = "Serilog.Formatting.Compact.RenderedCompactJsonFormatter, Serilog.Formatting.Compact";
        var host = await app.With(settings);
        var client = host.Client();
        await act(client, app.Tokens.For(TestDatabase.NewTenant(), LedgerRoles.Clerk));
        await host.DisposeAsync(); // flushes the logger

        await using var stream = new FileStream(_logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .ToList();
    }

    private static int? Status(JsonElement line) => line.TryGetProperty("StatusCode", out var status) ? status.GetInt32() : null;

    private static async Task<HttpStatusCode> Post(HttpClient client, string? token, string body, string path = "/api/orders", string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (token is not null) request.Headers.Authorization = new("Bearer", token);
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    public void Dispose()
    {
        if (File.Exists(_logFile)) File.Delete(_logFile);
    }
}

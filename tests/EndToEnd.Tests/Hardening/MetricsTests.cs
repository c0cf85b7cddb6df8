using System.Diagnostics.Metrics;
using System.Net;
using System.Text.RegularExpressions;
using Alba;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.EndToEnd.Tests.Hardening;

/// <summary><c>/metrics</c>: who may read it, and that it is well-formed Prometheus text with the named series.</summary>
[Collection(TelemetryCollection.Name)]
public sealed partial class MetricsTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>
{
    // Each scraping test reads a Host of its own, started in the test: see TelemetryCollection for why a Host that
    // lived while others stopped can lose its ASP.NET Core streams in a test process.
    private async Task<string> Scrape(IAlbaHost host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new("Bearer", app.Tokens.For(TestDatabase.NewTenant(), LedgerRoles.Operator));
        using var response = await host.Client().SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        response.Content.Headers.ContentType!.ToString().ShouldBe("text/plain; version=0.0.4; charset=utf-8"); // the exporter's answer to a plain Accept
        return text;
    }

    [Fact]
    public async Task Anonymous_scrapes_are_allowed_from_loopback_only()
    {
        (await app.Client().GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        await using var local = await app.With([], IPAddress.Loopback);
        (await local.Client().GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await using var remote = await app.With([], IPAddress.Parse("192.0.2.10"));
        (await remote.Client().GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        await using var scraperNetwork = await app.With(new() { ["Ledger:Telemetry:MetricsAnonymousNetworks:0"] = "192.0.2.0/28" }, IPAddress.Parse("192.0.2.10"));
        (await scraperNetwork.Client().GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Request_latency_errors_and_appends_are_exposed_per_route()
    {
        await using var host = await app.With([]);
        var tenant = TestDatabase.NewTenant();
        var orders = new OrderApi(host.Client(), app.Tokens.For(tenant, LedgerRoles.Clerk), tenant, app.Db.Store);
        await orders.CreateAsync();
        (await orders.GetAsync($"/api/orders/{Guid.NewGuid()}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        await app.Db.SealedAsync(); // the chain sealer's series once it has sealed the order

        var text = await Scrape(host);

        text.ShouldContain("# TYPE http_server_request_duration_seconds histogram\n");
        // The create route is the group's prefix; its template reads /api/orders/ (an empty pattern appended to the group).
        LineMatching(text, "http_server_request_duration_seconds_bucket", "http_route=\"/api/orders", "http_request_method=\"POST\"", "http_response_status_code=\"201\"", "le=\"+Inf\"");
        LineMatching(text, "http_server_request_duration_seconds_count", "http_route=\"/api/orders/{id}\"", "http_response_status_code=\"404\"");
        LineMatching(text, "http_server_request_duration_seconds_sum", "http_route=\"/api/orders", "http_request_method=\"POST\"");
        text.ShouldContain("# TYPE ledger_http_server_errors_total counter\n");
        LineMatching(text, "ledger_http_server_errors_total", "http_route=\"/api/orders/{id}\"", "http_response_status_code=\"404\"");
        text.ShouldContain("# TYPE ledger_eventstore_appends_total counter\n");
        text.ShouldContain("# TYPE ledger_eventstore_append_duration_seconds histogram\n");
        Value(text, "ledger_eventstore_events_total").ShouldBeGreaterThanOrEqualTo(1);
        text.ShouldContain("# TYPE ledger_chain_seal_lag_seconds histogram\n");
        Value(text, "ledger_chain_sealed_through").ShouldBeGreaterThanOrEqualTo(1);
        // The instrumentation packages' series: Npgsql's commands and pool, the .NET runtime.
        text.ShouldContain("# TYPE db_client_operation_duration_seconds histogram\n");
        text.ShouldContain("# TYPE db_client_connection_count gauge\n");
        text.ShouldContain("# TYPE dotnet_gc_collections_total counter\n");
        ShouldBeWellFormed(text);
    }

    [Fact]
    public async Task Histogram_buckets_are_cumulative_and_end_with_the_count()
    {
        await using var host = await app.With([]);
        var tenant = TestDatabase.NewTenant();
        var client = host.Client();
        for (var i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/orders/{Guid.NewGuid()}");
            request.Headers.Authorization = new("Bearer", app.Tokens.For(tenant, LedgerRoles.Clerk));
            (await client.SendAsync(request)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }

        var text = await Scrape(host);

        var buckets = text.Split('\n')
            .Where(l => l.StartsWith("http_server_request_duration_seconds_bucket{", StringComparison.Ordinal)
                && l.Contains("http_route=\"/api/orders/{id}\"", StringComparison.Ordinal) && l.Contains("http_response_status_code=\"404\"", StringComparison.Ordinal))
            .Select(l => long.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        buckets.Count.ShouldBeGreaterThan(2);
        buckets.ShouldBe(buckets.Order().ToList(), "bucket counts are cumulative");
        var count = LineMatching(text, "http_server_request_duration_seconds_count", "http_route=\"/api/orders/{id}\"", "http_response_status_code=\"404\"");
        buckets[^1].ShouldBe(long.Parse(count[(count.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        buckets[^1].ShouldBeGreaterThanOrEqualTo(3);
    }

    [Fact]
    public async Task Every_Ledger_meter_is_collected_with_escaped_labels_and_help()
    {
        await using var host = await app.With([]);
        var factory = host.Services.GetRequiredService<IMeterFactory>();
        var meter = factory.Create("Ledger.Probe");
        var counter = meter.CreateCounter<long>("ledger.probe.things", "{thing}", "Things\\seen \non two lines");
        counter.Add(2, new KeyValuePair<string, object?>("odd.label", "a \"quoted\" back\\slash\nnewline"));
        counter.Add(3, new KeyValuePair<string, object?>("odd.label", "a \"quoted\" back\\slash\nnewline"));
        var gauge = 41.5;
        meter.CreateObservableGauge("ledger.probe.level", () => gauge, "s", "A level.");
        var sizes = meter.CreateUpDownCounter<int>("ledger.probe.queue", "By");
        sizes.Add(10);
        sizes.Add(-4);

        var text = await Scrape(host);

        // OpenTelemetry's exporter: TYPE before HELP, the meter's name as the otel_scope_name label on every sample.
        text.ShouldContain("# TYPE ledger_probe_things_total counter\n# HELP ledger_probe_things_total Things\\\\seen \\non two lines\n");
        text.ShouldContain("ledger_probe_things_total{otel_scope_name=\"Ledger.Probe\",odd_label=\"a \\\"quoted\\\" back\\\\slash\\nnewline\"} 5\n");
        text.ShouldContain("# TYPE ledger_probe_level_seconds gauge\n# HELP ledger_probe_level_seconds A level.\nledger_probe_level_seconds{otel_scope_name=\"Ledger.Probe\"} 41.5\n");
        text.ShouldContain("# TYPE ledger_probe_queue_bytes gauge\nledger_probe_queue_bytes{otel_scope_name=\"Ledger.Probe\"} 6\n");
        gauge = 7;
        (await Scrape(host)).ShouldContain("ledger_probe_level_seconds{otel_scope_name=\"Ledger.Probe\"} 7\n");
        ShouldBeWellFormed(text);
    }

    /// <summary>Every line is a comment of a known kind or a sample; each family has one TYPE before its samples.</summary>
    private static void ShouldBeWellFormed(string text)
    {
        text.ShouldEndWith("\n");
        var typed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in text.TrimEnd('\n').Split('\n'))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal)) continue;
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                typed.Add(line.Split(' ')[2]).ShouldBeTrue($"one TYPE per family: {line}");
                continue;
            }
            var match = SampleLine().Match(line);
            match.Success.ShouldBeTrue($"not a sample line: {line}");
            var name = match.Groups["name"].Value;
            typed.Any(family => name == family || name == family + "_bucket" || name == family + "_sum" || name == family + "_count")
                .ShouldBeTrue($"sample before its TYPE: {line}");
        }
    }

    private static string LineMatching(string text, string name, params string[] parts)
    {
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(name + "{", StringComparison.Ordinal) && parts.All(p => l.Contains(p, StringComparison.Ordinal)));
        line.ShouldNotBeNull($"no {name} line with {string.Join(", ", parts)} in:\n{text}");
        return line;
    }

    private static double Value(string text, string name)
    {
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal) || l.StartsWith(name + "{", StringComparison.Ordinal));
        line.ShouldNotBeNull($"no {name} in:\n{text}");
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\["\\n])*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\["\\n])*")*\})? (-?[0-9.eE+-]+|\+Inf|-Inf|NaN)$""")]
    private static partial Regex SampleLine();
}

using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Ledger.Bench.Infrastructure;
using Ledger.Bench.Report;

namespace Ledger.Bench.Scenarios;

/// <summary>
/// Scenario 8 (issue 12): a burst of 1,000 create-order commands, all at once, each with its own
/// <c>Idempotency-Key</c>, into one tenant of the Host (its own process, Kestrel on 127.0.0.1, the default connection
/// pool of 100). A keyed write once held one pooled connection while waiting for a second, so a burst larger than the
/// pool took all of it and waited until the pool's timeout: 200 such requests gave 120 answers of 500. The question is
/// not speed but that every request gets its 201 — the goal is no 5xx at all — and how long the burst takes.
/// </summary>
public sealed class KeyedBurstScenario(BenchDatabase database)
{
    public const int Requests = 1_000;
    private const string Tenant = "bench-keyed-burst";
    private const string Row = "8. Keyed burst";

    private static readonly string Body = """
        {"customer_id":"C-0012345","currency":"EUR","lines":[
         {"sku":"SKU-10001","description":"Widget, blue, 40 mm, boxed","quantity":2,"unit_price":"12.50"}],
         "customer":{"name":"Ada Lovelace","email":"ada@example.com"}}
        """;

    public async Task<ScenarioOutcome> RunAsync()
    {
        Log.Line("8. Keyed burst: building the Host (Release)");
        if (await HostProcess.BuildAsync() is { } buildError)
            return new([ResultRow.NotYet(Row, Measure, "no 5xx", $"the Host (src/Host) did not build: {buildError}")], []);

        var schema = database.ReserveSchema("s8");
        await using var host = await HostProcess.StartAsync(schema, [Tenant]);
        Log.Line($"8. Host ready at {host.BaseAddress} (schema {schema}, log {host.LogFile})");
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Requests, PooledConnectionLifetime = TimeSpan.FromMinutes(30) })
        {
            BaseAddress = host.BaseAddress,
            Timeout = TimeSpan.FromSeconds(120),
        };

        // A few keyed creates first, so the burst measures the write path rather than the JIT's first compilations.
        for (var i = 0; i < 20; i++) await CreateAsync(http, host.Tokens[0], $"warm-{i}");

        var (answers, took) = await BurstAsync(http, host.Tokens[0], keyed: true);
        // The same burst without keys, on the same Host: what the keys cost when nothing is retried.
        var (unkeyed, unkeyedTook) = await BurstAsync(http, host.Tokens[0], keyed: false);
        var unkeyedCreated = unkeyed.Count(a => a.Status == 201);
        var unkeyedMs = unkeyed.Select(a => a.Ms).ToArray();

        var created = answers.Count(a => a.Status == 201);
        var serverErrors = answers.Count(a => a.Status >= 500);
        var unanswered = answers.Count(a => a.Status == 0);
        var latencies = answers.Select(a => a.Ms).ToArray();
        var others = answers.Where(a => a.Status is not 201 and > 0 and < 500).GroupBy(a => a.Status).Select(g => $"{g.Count()}×{g.Key}");
        Log.Line($"8. {created} × 201, {serverErrors} × 5xx, {unanswered} unanswered in {took.TotalSeconds:0.0} s");
        return new ScenarioOutcome(
        [
            new ResultRow
            {
                Scenario = Row,
                Measure = Measure,
                Goal = "no 5xx",
                Verdict = serverErrors == 0 && unanswered == 0 ? "**met**" : "not met",
                Notes = FormattableString.Invariant(
                    $"{created:N0} × 201, {serverErrors} × 5xx, {unanswered} unanswered{(others.Any() ? ", other: " + string.Join(", ", others) : "")}; ") +
                    FormattableString.Invariant(
                    $"latency p50/p99 {Series.Percentile(latencies, 0.5):0} / {Series.Percentile(latencies, 0.99):0} ms from the burst's start; ") +
                    FormattableString.Invariant(
                    $"the whole burst in {took.TotalSeconds:0.0} s ({created / took.TotalSeconds:0} commands/s); ") +
                    FormattableString.Invariant(
                    $"the same burst without keys: {unkeyedCreated:N0} × 201, {unkeyed.Count(a => a.Status >= 500)} × 5xx, p50/p99 {Series.Percentile(unkeyedMs, 0.5):0} / {Series.Percentile(unkeyedMs, 0.99):0} ms, {unkeyedTook.TotalSeconds:0.0} s; ") +
                    "the Host's default pool (100 connections), client and server on the same two cores; " +
                    HostProcess.LoadTestRateLimitsText,
            },
        ], []);
    }

    private static async Task<((int Status, double Ms)[] Answers, TimeSpan Took)> BurstAsync(HttpClient http, string token, bool keyed)
    {
        using var start = new SemaphoreSlim(0);
        var burst = Enumerable.Range(0, Requests).Select(async i =>
        {
            await start.WaitAsync();
            return await CreateAsync(http, token, keyed ? $"burst-{i}-{Guid.NewGuid():N}" : null);
        }).ToList();
        var clock = Stopwatch.StartNew();
        start.Release(Requests);
        var answers = await Task.WhenAll(burst);
        return (answers, clock.Elapsed);
    }

    private static string Measure => $"{Requests:N0} concurrent create-order commands, each with its own Idempotency-Key, one tenant";

    /// <summary>The status (0 when the request got no answer) and how long it took, in milliseconds.</summary>
    private static async Task<(int Status, double Ms)> CreateAsync(HttpClient http, string token, string? key)
    {
        var started = Stopwatch.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("api/orders", UriKind.Relative))
        {
            Content = new StringContent(Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        try
        {
            using var response = await http.SendAsync(request);
            return ((int)response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (0, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ledger.EndToEnd.Tests.Hardening;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.EndToEnd.Tests.MultiHost;
using Ledger.Host.Auth;
using Ledger.TestSupport;
using Microsoft.Playwright;

// Not Ledger.EndToEnd.Tests.Ledger: that namespace would shadow the root namespace Ledger for the other test files.
namespace Ledger.EndToEnd.Tests.Auditing;

/// <summary>
/// <c>GET /verify</c> on a real Host (Kestrel on a loopback port, its checkpoint signer running): the bytes are
/// tools/ledger-verify.html's, its hash-based Content-Security-Policy lets the page run and nothing else, and in
/// Debian's Chromium the page fetches the tenant's key set, checkpoints and entries with a pasted auditor token and
/// verifies the chain on the auditor's side, then checks a proof answer against the root it computed.
/// </summary>
public sealed class VerifierPageTests : IAsyncLifetime
{
    private LedgerCluster cluster = null!;
    private HostProcess host = null!;

    public async Task InitializeAsync()
    {
        cluster = await LedgerCluster.CreateAsync();
        host = cluster.Start("verify", new Dictionary<string, string>
        {
            ["Ledger:Checkpoints:EveryEntries"] = "3",
            ["Ledger:Checkpoints:EverySeconds"] = "1",
            ["Ledger:Checkpoints:PollSeconds"] = "0.2",
        });
        await host.WaitReadyAsync(TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task The_served_page_is_the_file_and_verifies_the_tenants_chain_through_the_API_without_a_CSP_violation()
    {
        var tenant = TestDatabase.NewTenant("verify");
        var clerk = cluster.Tokens.For(tenant, LedgerRoles.Clerk);
        for (var i = 0; i < 3; i++)
        {
            using var created = await Send(HttpMethod.Post, "/api/orders", clerk, OrderApi.CreateBody);
            created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        }
        var auditor = cluster.Tokens.For(tenant, LedgerRoles.Auditor);
        // The signer has caught up with the head: the chain the page walks ends in a signed checkpoint.
        var head = await Eventually.Until(async () =>
        {
            using var entries = await Send(HttpMethod.Get, "/api/ledger/entries?from=1&limit=1", auditor);
            using var latest = await Send(HttpMethod.Get, "/api/ledger/checkpoints/latest", auditor);
            var headNow = (await Json(entries)).GetProperty("head").GetInt64();
            return latest.IsSuccessStatusCode && (await Json(latest)).GetProperty("chain_seq").GetInt64() == headNow && headNow >= 6 ? headNow : -1;
        }, h => h > 0, TimeSpan.FromSeconds(60), "a checkpoint at the tenant's head");

        using var served = await host.Client.GetAsync("/verify");
        served.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await served.Content.ReadAsByteArrayAsync()).ShouldBe(await File.ReadAllBytesAsync(Path.Combine(OpenApiDocumentTests.RepositoryRoot(), "tools", "ledger-verify.html")));
        var policy = served.Headers.GetValues("Content-Security-Policy").Single();
        policy.ShouldStartWith("default-src 'none'; script-src 'sha256-");
        policy.ShouldNotContain("unsafe");
        policy.ShouldContain("connect-src 'self'");

        var origin = $"http://127.0.0.1:{host.Port}";
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = await ApiReferencePageTests.ChromiumAsync(), Headless = true });
        var page = await browser.NewPageAsync();
        var requested = new List<string>();
        page.Request += (_, request) => { lock (requested) requested.Add(request.Url); };
        await page.AddInitScriptAsync("""
            window.__cspViolations = [];
            document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
            """);
        await page.GotoAsync($"{origin}/verify");
        await page.WaitForSelectorAsync("#report[data-state=idle]", new() { State = WaitForSelectorState.Attached });
        (await page.InputValueAsync("#api-url")).ShouldBe(origin, "served by a Host, the page points at it");

        await page.FillAsync("#api-token", auditor);
        await page.ClickAsync("#verify-api");
        var report = await ReportAsync(page);
        report.GetProperty("ok").GetBoolean().ShouldBeTrue(report.ToString());
        report.GetProperty("entries").GetInt64().ShouldBe(head);
        report.GetProperty("checkpointsReached").GetInt32().ShouldBeGreaterThan(0);
        var treeRoot = report.GetProperty("treeRoot").GetString()!;
        string.Join("\n", report.GetProperty("text").EnumerateArray()).ShouldContain($"OK verified 1..{head}: {head} entries");

        // The API's inclusion proof for the first entry, checked against the root the page computed itself.
        using var proof = await Send(HttpMethod.Get, $"/api/ledger/proofs/inclusion?position=1&tree_size={head}", auditor);
        var answer = await proof.Content.ReadAsStringAsync();
        JsonDocument.Parse(answer).RootElement.GetProperty("root_hash").GetString().ShouldBe(treeRoot, "the service's tree is the one the page recomputed");
        await page.FillAsync("#proof-answer", answer);
        await page.FillAsync("#proof-root", treeRoot);
        await page.ClickAsync("#check-proof");
        (await ReportAsync(page)).GetProperty("ok").GetBoolean().ShouldBeTrue();
        await page.FillAsync("#proof-root", new string('0', 64));
        await page.ClickAsync("#check-proof");
        var refused = await ReportAsync(page);
        refused.GetProperty("ok").GetBoolean().ShouldBeFalse();
        refused.GetProperty("failure").GetString().ShouldNotBeNull().ShouldContain("the proof leads to root");

        (await page.EvaluateAsync<string[]>("() => window.__cspViolations")).ShouldBeEmpty();
        lock (requested) requested.Where(url => !url.StartsWith(origin + "/", StringComparison.Ordinal)).ShouldBeEmpty();
    }

    private static async Task<JsonElement> ReportAsync(IPage page)
    {
        await page.WaitForSelectorAsync("#report[data-state=ok], #report[data-state=failed], #report[data-state=error]",
            new() { State = WaitForSelectorState.Attached, Timeout = 60_000 });
        var json = await page.EvaluateAsync<string>("() => { const r = JSON.stringify(LedgerVerify.last); document.getElementById('report').dataset.state = 'read'; return r; }");
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    private async Task<HttpResponseMessage> Send(HttpMethod method, string path, string token, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return await host.Client.SendAsync(request);
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>())!;
}

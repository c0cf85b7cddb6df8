using System.Diagnostics;
using Ledger.EndToEnd.Tests.MultiHost;
using Microsoft.Playwright;

namespace Ledger.EndToEnd.Tests.Hardening;

/// <summary>
/// <c>/docs</c> as a newcomer sees it: the real Host on a loopback port (Kestrel), Debian's Chromium driven by Playwright,
/// the page's own Content-Security-Policy enforced. The reference must render the operations from
/// <c>/openapi/v1.json</c> with every file from the Host itself (no CDN) and without a single CSP violation.
/// </summary>
public sealed class ApiReferencePageTests : IAsyncLifetime
{
    private static readonly TimeSpan RenderTimeout = TimeSpan.FromSeconds(40);

    private LedgerCluster _cluster = null!;
    private HostProcess _host = null!;

    public async Task InitializeAsync()
    {
        _cluster = await LedgerCluster.CreateAsync();
        _host = _cluster.Start("docs");
        await _host.WaitReadyAsync(TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task The_reference_renders_the_operations_from_the_host_alone_without_CSP_violations()
    {
        var origin = $"http://127.0.0.1:{_host.Port}";
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = await ChromiumAsync(), Headless = true });
        var page = await browser.NewPageAsync();
        var console = new List<string>();
        var requested = new List<string>();
        var failed = new List<string>();
        page.Console += (_, message) => { lock (console) console.Add($"{message.Type}: {message.Text}"); };
        page.Request += (_, request) => { lock (requested) requested.Add(request.Url); };
        page.RequestFailed += (_, request) => { lock (failed) failed.Add($"{request.Url}: {request.Failure}"); };
        // The DOM's own report of each violation, besides the console line Chromium prints for it.
        await page.AddInitScriptAsync("""
            window.__cspViolations = [];
            document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
            """);

        var response = await page.GotoAsync($"{origin}/docs");
        response.ShouldNotBeNull();
        response.Status.ShouldBe(200);
        var policy = await response.HeaderValueAsync("content-security-policy");
        policy.ShouldNotBeNull().ShouldContain("script-src 'self' 'nonce-");
        policy.ShouldContain("frame-ancestors 'none'");

        // Scalar builds the sidebar and the sections from the document: an operation summary shows it read /openapi/v1.json.
        await page.GetByText("Create an order").First.WaitForAsync(new() { State = WaitForSelectorState.Visible, Timeout = (float)RenderTimeout.TotalMilliseconds });
        // Another tag's operations render when opened: a violation on the way there counts too.
        await page.GetByText("Ledger", new() { Exact = true }).First.ClickAsync();
        await page.GetByText("Get the latest signed checkpoint").First.WaitForAsync(new() { State = WaitForSelectorState.Visible, Timeout = (float)RenderTimeout.TotalMilliseconds });
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        var violations = await page.EvaluateAsync<string[]>("() => window.__cspViolations");
        string Report() => $"\nconsole:\n  {string.Join("\n  ", console)}\nrequests:\n  {string.Join("\n  ", requested)}\nfailed:\n  {string.Join("\n  ", failed)}";
        lock (console)
        {
            violations.ShouldBeEmpty("CSP violations reported by the page" + Report());
            console.Where(line => line.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)).ShouldBeEmpty("CSP violations in the console" + Report());
        }
        lock (requested)
        {
            requested.ShouldContain($"{origin}/docs/scalar.js", Report());
            requested.ShouldContain($"{origin}/openapi/v1.json", Report());
            requested.Where(url => !url.StartsWith(origin + "/", StringComparison.Ordinal) && !url.StartsWith("data:", StringComparison.Ordinal))
                .ShouldBeEmpty("the page must load everything from the Host" + Report());
        }
        lock (failed) failed.ShouldBeEmpty(Report());
    }

    /// <summary>Debian's Chromium, installed by scripts/chromium.sh when missing (Playwright cannot download its own here).</summary>
    internal static async Task<string> ChromiumAsync()
    {
        var start = new ProcessStartInfo(Path.Combine(OpenApiDocumentTests.RepositoryRoot(), "scripts", "chromium.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        process.ExitCode.ShouldBe(0, await error);
        return (await output).Trim();
    }
}

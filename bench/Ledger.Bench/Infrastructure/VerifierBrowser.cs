using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Playwright;

namespace Ledger.Bench.Infrastructure;

/// <summary>
/// tools/ledger-verify.html served on a loopback port and open in Debian's Chromium (scripts/chromium.sh), driven by
/// Playwright as tests/EventStore.Tests/Browser does: the bench's view of an auditor verifying an export in the page.
/// </summary>
public sealed class VerifierBrowser : IAsyncDisposable
{
    private readonly HttpListener server = new();
    private readonly byte[] page = File.ReadAllBytes(RepoPaths.Resolve("tools/ledger-verify.html"));
    private IPlaywright? playwright;
    private IBrowser? browser;
    private IPage tab = null!;
    private string url = null!;
    private Task serving = Task.CompletedTask;

    public static async Task<VerifierBrowser> StartAsync()
    {
        var started = new VerifierBrowser();
        started.Serve();
        started.playwright = await Playwright.CreateAsync();
        started.browser = await started.playwright.Chromium.LaunchAsync(new() { ExecutablePath = await ChromiumAsync(), Headless = true });
        started.tab = await started.browser.NewPageAsync();
        return started;
    }

    /// <summary>Chooses the export's files and the trusted key set, clicks Verify, waits: the page's report.</summary>
    public async Task<(bool Ok, long Entries, double ElapsedMs, int Workers, string Output)> VerifyAsync(string folder, string trustedJwks)
    {
        await tab.GotoAsync(url);
        await tab.WaitForSelectorAsync("#report[data-state=idle]", new() { State = WaitForSelectorState.Attached });
        await tab.SetInputFilesAsync("#export-files", Directory.GetFiles(folder));
        await tab.SetInputFilesAsync("#trusted-jwks", trustedJwks);
        await tab.ClickAsync("#verify-export");
        await tab.WaitForSelectorAsync("#report[data-state=ok], #report[data-state=failed], #report[data-state=error]",
            new() { State = WaitForSelectorState.Attached, Timeout = 600_000 });
        using var report = JsonDocument.Parse(await tab.EvaluateAsync<string>("() => JSON.stringify(LedgerVerify.last)"));
        var r = report.RootElement;
        var ok = r.GetProperty("ok").GetBoolean();
        return (ok, ok ? r.GetProperty("entries").GetInt64() : 0, ok ? r.GetProperty("elapsedMs").GetDouble() : 0,
            ok ? r.GetProperty("workers").GetInt32() : 0, r.ToString());
    }

    private void Serve()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        url = $"http://127.0.0.1:{port}/";
        server.Prefixes.Add(url);
        server.Start();
        serving = Task.Run(async () =>
        {
            while (server.IsListening)
            {
                HttpListenerContext context;
                try { context = await server.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
                using var response = context.Response;
                response.ContentType = "text/html; charset=utf-8";
                response.ContentLength64 = page.Length;
                await response.OutputStream.WriteAsync(page);
            }
        });
    }

    private static async Task<string> ChromiumAsync()
    {
        using var process = Process.Start(new ProcessStartInfo(RepoPaths.Resolve("scripts/chromium.sh")) { RedirectStandardOutput = true })!;
        var path = (await process.StandardOutput.ReadToEndAsync()).Trim();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException("scripts/chromium.sh failed: Chromium is not installed");
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        if (browser is not null) await browser.DisposeAsync();
        playwright?.Dispose();
        server.Stop();
        await serving;
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Ledger.EventStore.Tests.Export;
using Microsoft.Playwright;

namespace Ledger.EventStore.Tests.Browser;

/// <summary>
/// tools/ledger-verify.html as an auditor opens it: served on http://127.0.0.1 (WebCrypto needs a secure context, which
/// loopback HTTP is and about:blank is not) and loaded in Debian's Chromium, driven by Playwright with an explicit
/// executable path (scripts/chromium.sh installs it when missing; Playwright never downloads a browser here). One
/// browser for every test of the collection; each verification starts from a freshly loaded page.
/// </summary>
public sealed class VerifierPage : IAsyncLifetime
{
    public static string Source => Path.Combine(PythonVerifier.RepoRoot(), "tools", "ledger-verify.html");

    private readonly HttpListener server = new();
    private readonly CancellationTokenSource stopping = new();
    private IPlaywright playwright = null!;
    private IBrowser browser = null!;
    private Task serving = Task.CompletedTask;

    public IPage Page { get; private set; } = null!;
    public string Url { get; private set; } = null!;
    public List<string> Console { get; } = [];

    public async Task InitializeAsync()
    {
        Url = Serve();
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = await ChromiumAsync(), Headless = true });
        Page = await browser.NewPageAsync();
        Page.Console += (_, message) => { lock (Console) Console.Add($"{message.Type}: {message.Text}"); };
        await LoadAsync();
    }

    public async Task DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
        await stopping.CancelAsync();
        server.Stop();
        await serving;
    }

    /// <summary>A fresh page: nothing chosen in its inputs, nothing left from the last verification.</summary>
    public async Task LoadAsync()
    {
        await Page.GotoAsync(Url);
        await Page.WaitForSelectorAsync("#report[data-state=idle]", new() { State = WaitForSelectorState.Attached });
    }

    /// <summary>What an auditor does: choose the export (an archive, or a folder's files), the trust anchors, click Verify.</summary>
    public async Task<BrowserReport> VerifyExportAsync(string export, string? trustedJwks = null, string? keptCheckpoints = null, int timeoutSeconds = 120)
    {
        await LoadAsync();
        var files = Directory.Exists(export) ? Directory.GetFiles(export).Order(StringComparer.Ordinal).ToArray() : [export];
        await Page.SetInputFilesAsync("#export-files", files);
        if (trustedJwks is not null) await Page.SetInputFilesAsync("#trusted-jwks", trustedJwks);
        if (keptCheckpoints is not null) await Page.SetInputFilesAsync("#kept-checkpoints", keptCheckpoints);
        await Page.ClickAsync("#verify-export");
        return await ReportAsync(timeoutSeconds);
    }

    /// <summary>
    /// The same verification through the page's API with its workers off, so the path a page without Web Workers takes
    /// (its own thread reading the file's bytes) is checked too: the files go in as base64.
    /// </summary>
    public async Task<BrowserReport> VerifyExportOnPageThreadAsync(string folder, string? trustedJwks = null)
    {
        await LoadAsync();
        var files = Directory.GetFiles(folder).ToDictionary(f => Path.GetFileName(f), f => Convert.ToBase64String(File.ReadAllBytes(f)));
        var jwks = trustedJwks is null ? null : Convert.ToBase64String(await File.ReadAllBytesAsync(trustedJwks));
        var json = await Page.EvaluateAsync<string>("""
            async ([files, jwks]) => {
              const bytes = b => Uint8Array.from(atob(b), c => c.charCodeAt(0));
              const map = new Map(Object.entries(files).map(([name, b]) => [name, bytes(b)]));
              return JSON.stringify(await LedgerVerify.verifyExport(map, { trustedJwks: jwks && bytes(jwks), useWorkers: false }));
            }
            """, new object?[] { files, jwks });
        return BrowserReport.Parse(json);
    }

    /// <summary>As an auditor who saved the file: the page opened from disk (file://), nothing served, no request made.</summary>
    public async Task<(BrowserReport Report, IReadOnlyList<string> Requests)> VerifyExportFromDiskAsync(string export, string trustedJwks)
    {
        var requests = new List<string>();
        void Record(object? sender, IRequest request) { lock (requests) requests.Add(request.Url); }
        Page.Request += Record;
        try
        {
            await Page.GotoAsync(new Uri(Source).AbsoluteUri);
            await Page.WaitForSelectorAsync("#report[data-state=idle]", new() { State = WaitForSelectorState.Attached });
            await Page.SetInputFilesAsync("#export-files", Directory.GetFiles(export));
            await Page.SetInputFilesAsync("#trusted-jwks", trustedJwks);
            await Page.ClickAsync("#verify-export");
            var report = await ReportAsync();
            lock (requests) return (report, [.. requests]);
        }
        finally
        {
            Page.Request -= Record;
        }
    }

    public async Task<BrowserReport> ReportAsync(int timeoutSeconds = 120)
    {
        await Page.WaitForSelectorAsync("#report[data-state=ok], #report[data-state=failed], #report[data-state=error]",
            new() { State = WaitForSelectorState.Attached, Timeout = timeoutSeconds * 1000 });
        var json = await Page.EvaluateAsync<string>("() => JSON.stringify(LedgerVerify.last)");
        return BrowserReport.Parse(json);
    }

    /// <summary>Serves the page file at / on a free loopback port; read per request, so the test runs today's file.</summary>
    private string Serve()
    {
        for (var attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var prefix = $"http://127.0.0.1:{port}/";
            server.Prefixes.Clear();
            server.Prefixes.Add(prefix);
            try
            {
                server.Start();
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                continue;
            }
            serving = Task.Run(async () =>
            {
                while (!stopping.IsCancellationRequested)
                {
                    HttpListenerContext context;
                    try { context = await server.GetContextAsync(); }
                    catch (Exception) when (stopping.IsCancellationRequested) { return; }
                    catch (HttpListenerException) { return; }
                    catch (ObjectDisposedException) { return; }
                    using var response = context.Response;
                    if (context.Request.Url!.AbsolutePath != "/") { response.StatusCode = 404; continue; }
                    var page = await File.ReadAllBytesAsync(Source);
                    response.ContentType = "text/html; charset=utf-8";
                    response.ContentLength64 = page.Length;
                    await response.OutputStream.WriteAsync(page);
                }
            });
            return prefix;
        }
    }

    /// <summary>Debian's Chromium, installed by scripts/chromium.sh when missing.</summary>
    private static async Task<string> ChromiumAsync()
    {
        var start = new ProcessStartInfo(Path.Combine(PythonVerifier.RepoRoot(), "scripts", "chromium.sh"))
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

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<VerifierPage>
{
    public const string Name = "browser verifier";
}

public sealed record BrowserFailure(string Reason, long? Position, string? File, string Detail);

/// <summary>The page's report of one verification (<c>LedgerVerify.last</c>).</summary>
public sealed record BrowserReport(
    bool Ok, string? Error, IReadOnlyList<BrowserFailure> Failures, IReadOnlyList<string> Text, long? VerifiedThrough, long Entries,
    int CheckpointsReached, string? LastChainHash, string? TreeRoot, double ElapsedMs, int Workers)
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = true };

    public string Output => Error ?? string.Join("\n", Text);

    /// <summary>The chain failure: the first with a position.</summary>
    public BrowserFailure? ChainFailure => Failures.FirstOrDefault(f => f.Position is not null);

    public static BrowserReport Parse(string json)
    {
        var report = JsonSerializer.Deserialize<BrowserReport>(json, Options)!;
        return report with { Failures = report.Failures ?? [], Text = report.Text ?? [] };
    }
}

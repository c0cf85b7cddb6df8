using System.Diagnostics;
using Ledger.Bench.Infrastructure;
using Ledger.Bench.Report;
using Ledger.EventStore;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Export;

namespace Ledger.Bench.Scenarios;

/// <summary>
/// Scenario 12: one tenant's 100,000-entry export (a format-2 checkpoint every 10,000 entries) verified in the browser
/// page (tools/ledger-verify.html in Chromium) against the C# <see cref="ExportVerifier"/> on the same export in the
/// same rounds. The page's figure is its own clock from the files read to the verdict; the goal is the issue's,
/// ≥ 50,000 entries/s in the browser.
/// </summary>
public sealed class BrowserVerificationScenario(BenchSettings settings, BenchDatabase database, Payloads payloads)
{
    private const string Tenant = "tenant-browser";
    private const int Entries = 100_000;
    private const int EveryCheckpoint = 10_000;
    private const double Goal = 50_000;

    public async Task<ScenarioOutcome> RunAsync()
    {
        Log.Line($"12. Browser verification: building a {Entries:N0}-entry chain with a checkpoint every {EveryCheckpoint:N0}");
        await using var ledger = await database.CreateLedgerAsync("s12");
        using var key = CheckpointKey.Generate();
        var history = new SigningKeyHistory(ledger.App);
        var checkpoints = new CheckpointStore(ledger.App);
        await history.RegisterAsync(key, DateTimeOffset.UtcNow.AddMinutes(-1));
        var signer = new Checkpointer(ledger.App, ledger.Store, key, history, checkpoints, new CheckpointPolicy(1, TimeSpan.Zero), TimeProvider.System);
        for (var b = 0; b * 1000 < Entries - 1; b++)
        {
            var count = Math.Min(1000, Entries - 1 - b * 1000); // one entry is the key's rotation, appended by the first checkpoint
            var appends = Enumerable.Range(0, count / 10).Select(s => new StreamAppend($"browser-{b}-{s}", ExpectedVersion.NoStream,
                [.. Enumerable.Range(0, 10).Select(v => payloads.Event(b + s + v))])).ToList();
            if (count % 10 != 0) appends.Add(new StreamAppend($"browser-{b}-rest", ExpectedVersion.NoStream, [.. Enumerable.Range(0, count % 10).Select(v => payloads.Event(b + v))]));
            await ledger.Store.AppendAsync(Tenant, appends);
            if ((b + 1) % (EveryCheckpoint / 1000) == 0)
            {
                await ledger.SealedAsync();
                var signed = await signer.CheckpointAsync(Tenant);
                if (signed.Result != CheckpointResult.Signed) throw new InvalidOperationException($"no checkpoint: {signed.Failure?.Detail}");
            }
        }
        await ledger.SealedAsync();
        if ((await signer.CheckpointAsync(Tenant)).Result is not (CheckpointResult.Signed or CheckpointResult.UpToDate))
            throw new InvalidOperationException("no checkpoint at the head");

        var folder = Path.Combine(Path.GetTempPath(), "ledger-bench-export-" + Guid.NewGuid().ToString("N"));
        try
        {
            var manifest = await new ExportWriter(ledger.App, checkpoints, history, TimeProvider.System).WriteAsync(Tenant, 1, null, folder, key);
            var keys = await history.ReadAsync();
            var trusted = Path.Combine(folder + "-keys.json");
            await File.WriteAllBytesAsync(trusted, keys.ToJson());
            Log.Line($"  12. export: {manifest.Count:N0} entries, {manifest.CheckpointCount} checkpoints");
            await using var browser = await VerifierBrowser.StartAsync();
            var errors = new List<string>();
            var workers = 0;

            var page = new Side("browser page", async _ =>
            {
                var (ok, entries, ms, threads, output) = await browser.VerifyAsync(folder, trusted);
                workers = threads;
                if (!ok || entries != manifest.Count) errors.Add("the page did not verify the export: " + output[..Math.Min(300, output.Length)]);
                return RoundResult.Throughput(entries, TimeSpan.FromMilliseconds(ms));
            });
            var csharp = new Side("ExportVerifier", _ =>
            {
                var started = Stopwatch.GetTimestamp();
                var verification = ExportVerifier.Verify(folder, keys);
                var elapsed = Stopwatch.GetElapsedTime(started);
                if (!verification.Succeeded) errors.Add("ExportVerifier failed: " + verification.Failures[0]);
                return Task.FromResult(RoundResult.Throughput(verification.EntriesChecked, elapsed));
            });
            var outcomes = await Rounds.Rotate(settings.Rounds, "entries/s", [page, csharp], label: "12");
            var figures = outcomes[0].Against(outcomes[1]);
            return new ScenarioOutcome([new ResultRow
            {
                Scenario = "12. Browser verification",
                Measure = $"entries/s, one {manifest.Count:N0}-entry export, {manifest.CheckpointCount} format-2 checkpoints",
                Figures = figures,
                Goal = "≥ 50,000 entries/s in the browser (baseline: C# ExportVerifier, same export, same rounds)",
                Verdict = figures.Ledger.Median >= Goal ? "**met**" : "not met",
                Notes = "Ledger = tools/ledger-verify.html in Debian's Chromium (headless, Playwright), timed by the page from the files " +
                        $"read to its verdict, chunks of 4,096 lines prepared in {workers} Web Workers: RFC 8785 in JavaScript (a canonical " +
                        "line's record hashed as its own bytes), record and file SHA-256 and ES256 through WebCrypto, link and tree " +
                        "hashes in the page's JavaScript SHA-256 (docs/ledger-format.md §15); baseline = ExportVerifier.Verify on the " +
                        "same folder in this process. The browser's CPU is not in the bench's CPU figures (another process); shared " +
                        "2-core machine under other workers' load, indicative" +
                        (errors.Count > 0 ? "; ERRORS: " + string.Join("; ", errors.Distinct()) : ""),
            }], []);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            File.Delete(folder + "-keys.json");
        }
    }
}

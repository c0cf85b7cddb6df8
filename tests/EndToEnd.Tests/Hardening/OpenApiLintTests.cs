using System.Diagnostics;
using System.Text.Json.Nodes;
using Ledger.EndToEnd.Tests.Infrastructure;

namespace Ledger.EndToEnd.Tests.Hardening;

/// <summary>
/// The served <c>/openapi/v1.json</c> passes a standard linter: Redocly CLI's recommended rules
/// (tools/openapi-lint/redocly.yaml; the version pinned by its package-lock.json, installed there with <c>npm ci</c>
/// when missing). No error at all, and no warning but the two the project accepts.
/// </summary>
public sealed class OpenApiLintTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>
{
    private static readonly string Tool = Path.Combine(OpenApiDocumentTests.RepositoryRoot(), "tools", "openapi-lint");

    [Fact]
    public async Task The_document_passes_Redocly_recommended_rules()
    {
        var document = Path.Combine(Path.GetTempPath(), $"ledger-openapi-{Guid.NewGuid():N}.json");
        using (var response = await app.Client().GetAsync("/openapi/v1.json"))
            await File.WriteAllTextAsync(document, await response.EnsureSuccessStatusCode().Content.ReadAsStringAsync());
        try
        {
            await EnsureInstalledAsync();
            var (exit, output, error) = await RunAsync("npx", "--no-install", "redocly", "lint", document, "--config", "redocly.yaml", "--format", "json");

            var report = JsonNode.Parse(output) ?? throw new InvalidOperationException($"redocly printed no report (exit {exit}):\n{error}");
            var problems = report["problems"]!.AsArray()
                .Select(p => (Rule: p!["ruleId"]!.GetValue<string>(), Severity: p["severity"]!.GetValue<string>(),
                    Where: p["location"]![0]!["pointer"]!.GetValue<string>(), Message: p["message"]!.GetValue<string>()))
                .ToList();
            var listed = string.Join("\n  ", problems.Select(p => $"{p.Severity} {p.Rule} at {p.Where}: {p.Message}"));

            problems.Where(p => p.Severity == "error").ShouldBeEmpty("Redocly errors:\n  " + listed);
            problems.Where(p => !Accepted(p.Rule, p.Where)).ShouldBeEmpty("Redocly warnings:\n  " + listed);
            exit.ShouldBe(0, error);
        }
        finally
        {
            File.Delete(document);
        }
    }

    /// <summary>
    /// The warnings that stay, on purpose: Ledger has chosen no licence to state, and a health probe answers 200 or 503,
    /// never a 4xx (it is neither authenticated nor rate-limited).
    /// </summary>
    private static bool Accepted(string rule, string pointer) =>
        rule == "info-license"
        || (rule == "operation-4xx-response" && pointer.StartsWith("#/paths/~1health~1", StringComparison.Ordinal));

    private static async Task EnsureInstalledAsync()
    {
        if (File.Exists(Path.Combine(Tool, "node_modules", ".bin", "redocly"))) return;
        var (exit, output, error) = await RunAsync("npm", "ci", "--no-audit", "--no-fund");
        exit.ShouldBe(0, $"npm ci in {Tool} failed:\n{output}\n{error}");
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { WorkingDirectory = Tool, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // Nothing leaves the machine: no usage telemetry, no update check.
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}

using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Ledger.EventStore.Tests.Export;

/// <summary>
/// Runs tools/verify-export.py, the verifier written from docs/ledger-format.md in another language, if python3 is on
/// the PATH (tests that use it pass without checking anything otherwise, and say so on the console).
/// </summary>
public static partial class PythonVerifier
{
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ledger.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("repository root not found");
    }

    public static string Script => Path.Combine(RepoRoot(), "tools", "verify-export.py");

    public static bool Available { get; } = Find() is not null;

    /// <summary>Exit code, standard output and the first failure line's (reason, position), or null without python3.</summary>
    public static async Task<PythonResult?> RunAsync(params string[] arguments)
    {
        if (Find() is not { } python)
        {
            Console.WriteLine("python3 is not on the PATH: tools/verify-export.py was not run");
            return null;
        }
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Script);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout;
        var failures = FailLine().Matches(output).Select(m => new PythonFailure(m.Groups[1].Value,
            m.Groups[2].Success ? long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : null,
            m.Groups[3].Success ? m.Groups[3].Value : null)).ToList();
        return new PythonResult(process.ExitCode, output, await stderr, failures);
    }

    private static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, "python3"))
            .FirstOrDefault(File.Exists);

    [GeneratedRegex(@"^FAIL (\S+)(?: at (\d+))?(?: file (\S+))?:", RegexOptions.Multiline)]
    private static partial Regex FailLine();
}

public sealed record PythonFailure(string Reason, long? Position, string? File);

public sealed record PythonResult(int ExitCode, string Output, string Error, IReadOnlyList<PythonFailure> Failures)
{
    /// <summary>The chain failure (the first failure with a position).</summary>
    public PythonFailure? ChainFailure => Failures.FirstOrDefault(f => f.Position is not null);
}

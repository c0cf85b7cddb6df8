using System.Diagnostics;

namespace Ledger.EndToEnd.Tests.Auditing;

/// <summary>Runs tools/verify-export.py (the verifier written from docs/ledger-format.md) when python3 is on the PATH.</summary>
internal static class PythonVerifier
{
    public static async Task<(int ExitCode, string Output, string Error)?> RunAsync(params string[] arguments)
    {
        var python = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, "python3")).FirstOrDefault(File.Exists);
        if (python is null)
        {
            Console.WriteLine("python3 is not on the PATH: tools/verify-export.py was not run");
            return null;
        }
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepoRoot(), "tools", "verify-export.py"));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ledger.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("repository root not found");
    }
}

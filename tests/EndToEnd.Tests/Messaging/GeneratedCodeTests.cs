using System.Diagnostics;

namespace Ledger.EndToEnd.Tests.Messaging;

/// <summary>
/// The Host loads Wolverine's handlers statically (TypeLoadMode.Static): the code Wolverine generates for them is
/// committed in src/Host/Internal/Generated (`make codegen`). Regenerated here into a temporary folder from the Host as
/// built, it must be exactly what is committed; a changed handler, message or policy that alters it fails this test.
/// </summary>
public sealed class GeneratedCodeTests
{
    [Fact]
    public async Task The_committed_generated_handlers_are_what_the_Host_generates()
    {
        var committed = Path.Combine(RepositoryRoot(), "src", "Host", "Internal", "Generated");
        var temp = Directory.CreateTempSubdirectory("ledger-codegen-");
        try
        {
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = temp.FullName, RedirectStandardOutput = true, RedirectStandardError = true };
            // The Host's own build output: JasperFx's command line scans every assembly beside the entry point, and this
            // test's folder also holds the test tools' (FsCheck's F# core, which does not load there).
            start.ArgumentList.Add(Path.Combine(RepositoryRoot(), "src", "Host", "bin", Configuration, "net10.0", "ledger.dll"));
            foreach (var arg in new[] { "codegen", "write" }) start.ArgumentList.Add(arg);
            // Generating never connects; the Host only needs to be configurable.
            start.Environment["ConnectionStrings__Ledger"] = "Host=127.0.0.1;Port=1;Username=nobody;Database=none";
            start.Environment["ConnectionStrings__RabbitMq"] = "amqp://guest:guest@127.0.0.1:1/";
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            await process.WaitForExitAsync(timeout.Token);
            process.ExitCode.ShouldBe(0, await error + await output);

            var generated = Path.Combine(temp.FullName, "Internal", "Generated");
            Files(generated).ShouldBe(Files(committed), "generated files differ from src/Host/Internal/Generated: run `make codegen` and commit");
            foreach (var file in Files(committed))
                (await File.ReadAllTextAsync(Path.Combine(generated, file))).ShouldBe(await File.ReadAllTextAsync(Path.Combine(committed, file)),
                    $"{file} is stale: run `make codegen` and commit");
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static string[] Files(string root) =>
        [.. Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')).Order(StringComparer.Ordinal)];

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ledger.sln"))) return dir.FullName;
        throw new InvalidOperationException("Ledger.sln not found above the test's folder.");
    }
}

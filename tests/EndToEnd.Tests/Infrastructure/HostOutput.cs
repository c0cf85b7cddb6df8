namespace Ledger.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The Host as operators run it: <c>ledger.dll</c> in the Host project's own build output (same configuration and
/// framework as the tests), not the copy in the test runner's folder. It matters for JasperFx's commands: JasperFx
/// opens every DLL in the application's folder to find commands, and the test runner's folder holds DLLs whose
/// references the Host's dependency list does not resolve (FsCheck's FSharp.Core).
/// </summary>
public static class HostOutput
{
    public static string LedgerDll { get; } = Locate();

    private static string Locate()
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!;
        var repository = configuration.Parent!.Parent!.Parent!.Parent!;
        var dll = Path.Combine(repository.FullName, "src", "Host", "bin", configuration.Name, framework.Name, "ledger.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"The Host's build output is not at {dll}; build src/Host first.", dll);
    }
}

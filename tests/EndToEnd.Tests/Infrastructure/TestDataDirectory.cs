using System.Runtime.CompilerServices;

namespace Ledger.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The hosts and CLI processes these tests start keep their runtime files (a checkpoint key, when a test names none) in
/// one folder under the temporary directory, not in the user's data folder (<c>Ledger:DataDirectory</c>'s default).
/// </summary>
internal static class TestDataDirectory
{
#pragma warning disable CA2255 // a test assembly, not a library: this runs once, before any host of the test process starts
    [ModuleInitializer]
    internal static void Set()
    {
        if (Environment.GetEnvironmentVariable("Ledger__DataDirectory") is null)
            Environment.SetEnvironmentVariable("Ledger__DataDirectory", Path.Combine(Path.GetTempPath(), "ledger-end-to-end-tests"));
    }
#pragma warning restore CA2255
}

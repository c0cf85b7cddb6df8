namespace Ledger.EventStore.Tests.Canonical;

/// <summary>
/// Finds the RFC 8785 test vectors (shared/testdata/jcs, outside the repository, or the repository's
/// byte-identical copy in testdata/jcs). Not finding them is a
/// failure, never a skip: a green run must mean the vectors were checked.
/// </summary>
internal static class JcsTestData
{
    public const string EnvironmentVariable = "LEDGER_TESTDATA";

    private static readonly Lazy<string> Folder = new(Find);

    /// <summary>The jcs folder (holding input/, output/ and outhex/); throws with an explanation when missing.</summary>
    public static string Directory => Folder.Value;

    /// <summary>The vector names (input file names without extension), or none when the folder is missing.</summary>
    public static IEnumerable<string> TryListNames()
    {
        try
        {
            return System.IO.Directory.GetFiles(Path.Combine(Directory, "input"), "*.json")
                .Select(Path.GetFileNameWithoutExtension)
                .OfType<string>()
                .Order(StringComparer.Ordinal)
                .ToList();
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
    }

    private static string Find()
    {
        var tried = new List<string>();

        // 1. An explicit setting wins: either the jcs folder itself or a testdata folder that holds jcs/.
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            foreach (var candidate in new[] { configured, Path.Combine(configured, "jcs"), Path.Combine(configured, "testdata", "jcs") })
            {
                tried.Add(candidate);
                if (IsVectorFolder(candidate))
                {
                    return Path.GetFullPath(candidate);
                }
            }

            throw NotFound($"{EnvironmentVariable} is set to '{configured}', but no RFC 8785 vectors are there.", tried);
        }

        // 2. Walk up from the test binaries: shared/ may sit inside an ancestor or next to the repository.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[]
                     {
                         Path.Combine(dir.FullName, "shared", "testdata", "jcs"),
                         Path.Combine(dir.FullName, "..", "shared", "testdata", "jcs"),
                         // The repository's byte-identical copy (testdata/), for clones that sit apart from shared/.
                         Path.Combine(dir.FullName, "testdata", "jcs"),
                     })
            {
                tried.Add(candidate);
                if (IsVectorFolder(candidate))
                {
                    return Path.GetFullPath(candidate);
                }
            }
        }

        throw NotFound("The RFC 8785 test vectors (shared/testdata/jcs) were not found.", tried);
    }

    private static bool IsVectorFolder(string path) =>
        System.IO.Directory.Exists(Path.Combine(path, "input"))
        && System.IO.Directory.Exists(Path.Combine(path, "output"))
        && System.IO.Directory.Exists(Path.Combine(path, "outhex"));

    private static DirectoryNotFoundException NotFound(string reason, IEnumerable<string> tried) =>
        new($"{reason} Set {EnvironmentVariable} to the folder holding input/, output/ and outhex/ "
            + "(or to a testdata folder containing jcs/). Looked in:"
            + Environment.NewLine + string.Join(Environment.NewLine, tried.Select(Path.GetFullPath).Distinct().Select(p => "  " + p)));
}

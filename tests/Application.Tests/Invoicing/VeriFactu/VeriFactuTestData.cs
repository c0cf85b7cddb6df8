namespace Ledger.Application.Tests.Invoicing.VeriFactu;

/// <summary>
/// Finds the AEAT fingerprint vectors: <c>shared/testdata/verifactu</c> beside the repository when present, else the
/// repository's byte-identical copy in <c>testdata/verifactu</c> (as JcsTestData finds the JCS vectors). Not finding
/// them is a failure, never a skip: a green run must mean the vectors were checked.
/// </summary>
internal static class VeriFactuTestData
{
    public const string EnvironmentVariable = "LEDGER_TESTDATA";

    private static readonly Lazy<string> Folder = new(Find);

    public static string Directory => Folder.Value;

    /// <summary>Each vector: the input string and the fingerprint the AEAT gives for it, in chain order.</summary>
    public static IReadOnlyList<(string Input, string Fingerprint)> Vectors() =>
        [.. File.ReadAllLines(Path.Combine(Directory, "vectors.tsv"))
            .Where(line => line.Length > 0)
            .Select(line => line.Split('\t') is [var input, var fingerprint] ? (input, fingerprint)
                : throw new InvalidDataException($"A vector line is not 'input<TAB>fingerprint': {line}"))];

    private static string Find()
    {
        var tried = new List<string>();
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            foreach (var candidate in new[] { configured, Path.Combine(configured, "verifactu"), Path.Combine(configured, "testdata", "verifactu") })
            {
                tried.Add(candidate);
                if (IsVectorFolder(candidate)) return Path.GetFullPath(candidate);
            }
            throw NotFound($"{EnvironmentVariable} is set to '{configured}', but no VERI*FACTU vectors are there.", tried);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[]
                     {
                         Path.Combine(dir.FullName, "shared", "testdata", "verifactu"),
                         Path.Combine(dir.FullName, "..", "shared", "testdata", "verifactu"),
                         Path.Combine(dir.FullName, "testdata", "verifactu"),
                     })
            {
                tried.Add(candidate);
                if (IsVectorFolder(candidate)) return Path.GetFullPath(candidate);
            }
        }
        throw NotFound("The VERI*FACTU vectors (shared/testdata/verifactu) were not found.", tried);
    }

    private static bool IsVectorFolder(string path) => File.Exists(Path.Combine(path, "vectors.tsv"));

    private static DirectoryNotFoundException NotFound(string reason, IEnumerable<string> tried) =>
        new($"{reason} Set {EnvironmentVariable} to the folder holding vectors.tsv (or to a testdata folder containing verifactu/). Looked in:"
            + Environment.NewLine + string.Join(Environment.NewLine, tried.Select(Path.GetFullPath).Distinct().Select(p => "  " + p)));
}

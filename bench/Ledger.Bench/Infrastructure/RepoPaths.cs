namespace Ledger.Bench.Infrastructure;

/// <summary>The repository root (where Ledger.sln is), so paths work whatever the current directory.</summary>
public static class RepoPaths
{
    public static string Root { get; } = Find();

    public static string Resolve(string relative) => Path.IsPathRooted(relative) ? relative : Path.Combine(Root, relative);

    private static string Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Ledger.sln"))) return dir.FullName;
        }
        return Directory.GetCurrentDirectory();
    }
}

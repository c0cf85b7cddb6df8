namespace Ledger.Host.Configuration;

/// <summary>
/// <c>Ledger:DataDirectory</c>: the one folder where the Host and the CLI keep their runtime files (the checkpoint
/// signing key). Relative key paths resolve against it, never against the current directory: <c>make run</c> starts the
/// Host in <c>src/Host</c> and <c>./ledger</c> runs in the checkout, and a path relative to each gave them two different
/// keys, the second of which superseded the first (issue 12). scripts/env.sh sets it to <c>&lt;repo&gt;/.ledger</c>;
/// the default is the user's local data folder (<c>$XDG_DATA_HOME/ledger</c>, else <c>~/.local/share/ledger</c>).
/// </summary>
public static class LedgerDataDirectory
{
    public const string Key = "Ledger:DataDirectory";

    /// <exception cref="InvalidOperationException">the configured folder is not absolute, or there is no default (no home folder).</exception>
    public static string Resolve(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration[Key] is { Length: > 0 } configured)
            return Path.IsPathFullyQualified(configured)
                ? Path.GetFullPath(configured)
                : throw new InvalidOperationException($"{Key} must be an absolute path, not {configured}.");
        var data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        return data.Length > 0
            ? Path.Combine(data, "ledger")
            : throw new InvalidOperationException($"There is no home folder to keep Ledger's data in: set {Key}.");
    }

    /// <summary><paramref name="path"/> itself when absolute, else under the data directory.</summary>
    public static string ResolvePath(IConfiguration configuration, string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return Path.IsPathFullyQualified(path) ? Path.GetFullPath(path) : Path.GetFullPath(Path.Combine(Resolve(configuration), path));
    }
}

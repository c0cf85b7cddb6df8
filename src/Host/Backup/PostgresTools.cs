using System.Diagnostics;

namespace Ledger.Host.Backup;

/// <summary>
/// The PostgreSQL client and server programs the backup commands run: found on PATH or in
/// <c>/usr/lib/postgresql/*/bin</c>; a server program runs as <see cref="BackupOptions.ServerUser"/> when this process
/// is root, since PostgreSQL refuses to run as root.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class PostgresTools(BackupOptions options)
{
    public static bool IsRoot => Environment.UserName == "root";

    public string Find(string program)
    {
        var folders = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.ServerBinaries)) folders.Add(options.ServerBinaries);
        folders.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries));
        if (System.IO.Directory.Exists("/usr/lib/postgresql"))
            folders.AddRange(System.IO.Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin")));
        return folders.Select(f => Path.Combine(f, program)).FirstOrDefault(File.Exists)
            ?? throw new BackupException($"'{program}' was not found (set {BackupOptions.Section}:ServerBinaries to the PostgreSQL bin folder).");
    }

    /// <summary>Runs <paramref name="program"/>; as the server user when <paramref name="asServer"/> and this process is root.</summary>
    public async Task<(int ExitCode, string Output)> RunAsync(
        string program, IEnumerable<string> arguments, bool asServer = false, IReadOnlyDictionary<string, string>? environment = null,
        CancellationToken ct = default)
    {
        var start = new ProcessStartInfo(asServer && IsRoot ? "runuser" : Find(program)) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (asServer && IsRoot)
            foreach (var prefix in new[] { "-u", options.ServerUser, "--", Find(program) }) start.ArgumentList.Add(prefix);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start) ?? throw new BackupException($"{program} could not be started.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, (await stdout + await stderr).Trim());
    }

    /// <summary>Gives a folder to the server user (and lets it reach it), when this process is root.</summary>
    public async Task HandOverAsync(string folder, CancellationToken ct)
    {
        if (!IsRoot) return;
        var (code, output) = await RunAsync("chown", ["-R", options.ServerUser + ":", folder], ct: ct);
        if (code != 0) throw new BackupException($"chown {folder} failed: {output}");
        // The server user must be able to traverse every parent folder (search only: o+x reveals no file).
        for (var parent = Path.GetDirectoryName(folder); !string.IsNullOrEmpty(parent) && parent != "/"; parent = Path.GetDirectoryName(parent))
        {
            var mode = File.GetUnixFileMode(parent);
            if ((mode & UnixFileMode.OtherExecute) == 0) File.SetUnixFileMode(parent, mode | UnixFileMode.OtherExecute);
        }
    }
}

/// <summary>A backup or drill that could not be carried out; the message says why.</summary>
public sealed class BackupException(string message) : Exception(message);

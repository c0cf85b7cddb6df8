using Ledger.EventStore.Keys;
using Ledger.EventStore.Privacy;
using Ledger.Host.Configuration;

namespace Ledger.Host.Privacy;

/// <summary>
/// <c>Ledger:Privacy</c>: the master key that wraps the data subjects' keys — <c>MasterKey</c> (base64 of 32 bytes; an
/// environment variable or a secret store, <c>Ledger__Privacy__MasterKey</c>) or the owner-only file
/// <c>MasterKeyFile</c> holds (under <c>Ledger:DataDirectory</c> when relative; generated at the default path when
/// missing, as the other keys are) — and the retired master keys still needed to unwrap keys not yet re-wrapped
/// (<c>RetiredMasterKeys</c>, <c>RetiredMasterKeyFiles</c>).
/// </summary>
public sealed class PrivacyOptions
{
    public const string Section = "Ledger:Privacy";
    public const string DefaultMasterKeyFile = "keys/privacy-master-key";

    public string? MasterKey { get; set; }

    public string MasterKeyFile { get; set; } = DefaultMasterKeyFile;

    public IList<string> RetiredMasterKeys { get; } = [];

    public IList<string> RetiredMasterKeyFiles { get; } = [];

    /// <summary>The ring the configuration names; a missing key file is generated when <paramref name="mayGenerate"/> or at the default path.</summary>
    /// <exception cref="UnsafeKeyFileException">a key file is missing, readable by others, or not a key.</exception>
    public static MasterKeyRing Load(IConfiguration configuration, bool mayGenerate)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(Section).Get<PrivacyOptions>() ?? new();
        try
        {
            var current = options.MasterKey is { Length: > 0 } inline
                ? MasterKeyRing.Parse(inline, Section + ":MasterKey")
                : ReadFile(LedgerDataDirectory.ResolvePath(configuration, options.MasterKeyFile),
                    mayGenerate || options.MasterKeyFile == DefaultMasterKeyFile);
            var retired = options.RetiredMasterKeys.Select((k, i) => MasterKeyRing.Parse(k, $"{Section}:RetiredMasterKeys:{i}"))
                .Concat(options.RetiredMasterKeyFiles.Select(f => ReadFile(LedgerDataDirectory.ResolvePath(configuration, f), mayGenerate: false)));
            return new MasterKeyRing(current, retired);
        }
        catch (FormatException e)
        {
            throw new UnsafeKeyFileException(e.Message, e);
        }
    }

    /// <summary>Writes a new master key to <paramref name="path"/>, owner-only; refuses to replace a file.</summary>
    public static void WriteNewKeyFile(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var file = new FileStream(path, options);
        using var writer = new StreamWriter(file);
        writer.WriteLine(MasterKeyRing.NewKey());
    }

    private static byte[] ReadFile(string path, bool mayGenerate)
    {
        if (!File.Exists(path))
        {
            if (!mayGenerate) throw new UnsafeKeyFileException($"The privacy master key file {path} does not exist.");
            try
            {
                WriteNewKeyFile(path);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process (the CLI, a second host) wrote it first: read theirs.
            }
        }
        PrivateKeyFile.RefuseShared(path);
        return MasterKeyRing.Parse(File.ReadAllText(path), path);
    }
}

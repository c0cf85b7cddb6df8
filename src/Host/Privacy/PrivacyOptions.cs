using Ledger.EventStore.Keys;
using Ledger.EventStore.Privacy;
using Ledger.Host.Configuration;

namespace Ledger.Host.Privacy;

/// <summary>
/// <c>Ledger:Privacy</c>: the master key that wraps the data subjects' keys — <c>MasterKey</c> (base64 of 32 bytes; an
/// environment variable or a secret store, <c>Ledger__Privacy__MasterKey</c>) or the owner-only file
/// <c>MasterKeyFile</c> holds (under <c>Ledger:DataDirectory</c> when relative) — and the retired master keys still needed to unwrap keys not yet re-wrapped
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

    /// <summary>
    /// The ring the configuration names, its files read under <paramref name="protection"/> (encrypted under the keys'
    /// passphrase, like the private keys). A missing key file is generated only when <paramref name="mayGenerate"/>
    /// (outside Production): hosts that each made their own master key could not open each other's subject keys, so a
    /// production deployment configures one for all of them, and a host without it refuses to start.
    /// </summary>
    /// <exception cref="UnsafeKeyFileException">a key file is missing, readable by others, in clear where refused, or not a key.</exception>
    public static MasterKeyRing Load(IConfiguration configuration, bool mayGenerate, KeyProtection protection)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(Section).Get<PrivacyOptions>() ?? new();
        try
        {
            var current = options.MasterKey is { Length: > 0 } inline
                ? MasterKeyRing.Parse(inline, Section + ":MasterKey")
                : ReadFile(KeyPath(configuration), mayGenerate, protection);
            var retired = options.RetiredMasterKeys.Select((k, i) => MasterKeyRing.Parse(k, $"{Section}:RetiredMasterKeys:{i}"))
                .Concat(options.RetiredMasterKeyFiles.Select(f => ReadFile(LedgerDataDirectory.ResolvePath(configuration, f), mayGenerate: false, protection)));
            return new MasterKeyRing(current, retired);
        }
        catch (FormatException e)
        {
            throw new UnsafeKeyFileException(e.Message, e);
        }
    }

    /// <summary>The master key file's absolute path (whether or not <c>MasterKey</c> overrides it).</summary>
    public static string KeyPath(IConfiguration configuration) =>
        LedgerDataDirectory.ResolvePath(configuration, (configuration.GetSection(Section).Get<PrivacyOptions>() ?? new()).MasterKeyFile);

    private static byte[] ReadFile(string path, bool mayGenerate, KeyProtection protection)
    {
        if (!File.Exists(path))
        {
            if (!mayGenerate)
                throw new UnsafeKeyFileException(
                    $"The privacy master key file {path} does not exist: configure Ledger:Privacy:MasterKey or MasterKeyFile (docs/privacy.md).");
            SecretKeyFile.Write(path, MasterKeyRing.NewKey(), protection); // another process's key, written first, stays
        }
        return MasterKeyRing.Parse(SecretKeyFile.Read(path, protection), path);
    }
}

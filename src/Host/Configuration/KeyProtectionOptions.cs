using Ledger.EventStore.Keys;

namespace Ledger.Host.Configuration;

/// <summary>
/// <c>Ledger:Keys</c>: how the private keys on disk (the token signing key, the checkpoint signing key) are protected.
/// The passphrase comes from <c>Passphrase</c> (an environment variable, <c>Ledger__Keys__Passphrase</c>) or from the
/// file <c>PassphraseFile</c> names (a mounted secret; owner-only like the keys). <c>RequireEncrypted</c> (by default
/// on in Production) refuses a key file in clear.
/// </summary>
public sealed class KeyProtectionOptions
{
    public const string Section = "Ledger:Keys";

    public string? Passphrase { get; set; }

    public string? PassphraseFile { get; set; }

    public bool? RequireEncrypted { get; set; }

    /// <summary>The protection the configuration asks for, in environment <paramref name="environmentName"/>.</summary>
    /// <exception cref="UnsafeKeyFileException">the passphrase file is missing, empty or readable by others.</exception>
    public static KeyProtection Resolve(IConfiguration configuration, string environmentName)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(Section).Get<KeyProtectionOptions>() ?? new();
        var passphrase = options.Passphrase;
        if (string.IsNullOrEmpty(passphrase) && !string.IsNullOrWhiteSpace(options.PassphraseFile))
        {
            passphrase = ReadPassphraseFile(LedgerDataDirectory.ResolvePath(configuration, options.PassphraseFile));
        }
        return new KeyProtection(string.IsNullOrEmpty(passphrase) ? null : passphrase,
            options.RequireEncrypted ?? environmentName == Environments.Production);
    }

    /// <summary>A passphrase file: owner-only like the keys, its one line without the line end.</summary>
    /// <exception cref="UnsafeKeyFileException">missing, empty or readable by others.</exception>
    public static string ReadPassphraseFile(string path)
    {
        if (!File.Exists(path)) throw new UnsafeKeyFileException($"The passphrase file {path} does not exist.");
        PrivateKeyFile.RefuseShared(path);
        var passphrase = File.ReadAllText(path).TrimEnd('\r', '\n');
        return passphrase.Length > 0 ? passphrase : throw new UnsafeKeyFileException($"The passphrase file {path} is empty.");
    }
}

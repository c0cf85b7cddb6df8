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
            var path = LedgerDataDirectory.ResolvePath(configuration, options.PassphraseFile);
            if (!File.Exists(path)) throw new UnsafeKeyFileException($"The passphrase file {path} (Ledger:Keys:PassphraseFile) does not exist.");
            PrivateKeyFile.RefuseShared(path);
            passphrase = File.ReadAllText(path).TrimEnd('\r', '\n');
            if (passphrase.Length == 0) throw new UnsafeKeyFileException($"The passphrase file {path} is empty.");
        }
        return new KeyProtection(string.IsNullOrEmpty(passphrase) ? null : passphrase,
            options.RequireEncrypted ?? environmentName == Environments.Production);
    }
}

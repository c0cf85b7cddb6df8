using System.Security.Cryptography;
using Ledger.EventStore.Keys;
using Ledger.Host.Configuration;

namespace Ledger.Host.Auth;

/// <summary>
/// Loads the token keys from PEM files, the private one owner-only and encrypted under the configured passphrase
/// (<see cref="PrivateKeyFile"/>). A missing private key is generated only where that is safe: in development, or at
/// the default dev path (which the repository ignores); anywhere else it is a configuration error.
/// </summary>
public static class SigningKeyFiles
{
    /// <summary>
    /// The keys the settings name, relative paths under <c>Ledger:DataDirectory</c>: the Host (started by <c>make run</c>
    /// in src/Host) and <c>./ledger token</c> (run in the checkout) must read one key, and never one under src/.
    /// </summary>
    public static LedgerSigningKeys Load(LedgerAuthOptions options, IConfiguration configuration, bool isDevelopment, KeyProtection? protection = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var resolved = new LedgerAuthOptions
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            SigningKeyPath = LedgerDataDirectory.ResolvePath(configuration, options.SigningKeyPath),
            PublicKeyPath = string.IsNullOrWhiteSpace(options.PublicKeyPath) ? null : LedgerDataDirectory.ResolvePath(configuration, options.PublicKeyPath),
        };
        var isDefaultPath = resolved.SigningKeyPath == LedgerDataDirectory.ResolvePath(configuration, LedgerAuthOptions.DefaultSigningKeyPath);
        return Load(resolved, isDevelopment || isDefaultPath, protection);
    }

    /// <summary>The keys at the paths given (relative ones against the current directory), generated when missing if <paramref name="mayGenerate"/>.</summary>
    public static LedgerSigningKeys Load(LedgerAuthOptions options, bool mayGenerate, KeyProtection? protection = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        protection ??= KeyProtection.None;
        var privatePath = Path.GetFullPath(options.SigningKeyPath);

        if (!string.IsNullOrWhiteSpace(options.PublicKeyPath))
        {
            var publicKey = ReadPublicPem(Path.GetFullPath(options.PublicKeyPath));
            var privateKey = File.Exists(privatePath) ? ReadPrivatePem(privatePath, protection) : null;
            if (privateKey is not null && LedgerSigningKeys.KeyIdOf(privateKey) != LedgerSigningKeys.KeyIdOf(publicKey))
                throw new InvalidOperationException("Ledger:Auth:SigningKeyPath and PublicKeyPath hold different keys.");
            return new LedgerSigningKeys(publicKey, privateKey);
        }

        if (!File.Exists(privatePath))
        {
            if (!mayGenerate)
                throw new InvalidOperationException(
                    $"The token signing key {privatePath} does not exist (set Ledger:Auth:SigningKeyPath or Ledger:Auth:PublicKeyPath).");
            Generate(privatePath, protection);
        }

        var key = ReadPrivatePem(privatePath, protection);
        var publicOnly = RSA.Create();
        publicOnly.ImportSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
        return new LedgerSigningKeys(publicOnly, key);
    }

    /// <summary>Writes a new RSA 2048 key as PKCS#8 PEM, readable by its owner only; if another process wrote one first, its key stays.</summary>
    public static void Generate(string path, KeyProtection? protection = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var rsa = RSA.Create(2048);
        PrivateKeyFile.Write(path, rsa, protection ?? KeyProtection.None);
    }

    /// <summary>The private key at <paramref name="path"/>, owner-only and decrypted under <paramref name="protection"/>.</summary>
    public static RSA ReadPrivatePem(string path, KeyProtection protection)
    {
        if (!File.Exists(path)) throw new InvalidOperationException($"The key file {path} does not exist.");
        var rsa = RSA.Create();
        try
        {
            PrivateKeyFile.Import(rsa, path, protection);
            return rsa;
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    // A public key is no secret: any mode will do.
    private static RSA ReadPublicPem(string path)
    {
        if (!File.Exists(path)) throw new InvalidOperationException($"The key file {path} does not exist.");
        var rsa = RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(path));
        return rsa;
    }
}

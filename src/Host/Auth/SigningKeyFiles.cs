using System.Security.Cryptography;
using Ledger.Host.Configuration;

namespace Ledger.Host.Auth;

/// <summary>
/// Loads the token keys from PEM files. A missing private key is generated only where that is safe: in
/// development, or at the default dev path (which the repository ignores); anywhere else it is a configuration error.
/// </summary>
public static class SigningKeyFiles
{
    /// <summary>
    /// The keys the settings name, relative paths under <c>Ledger:DataDirectory</c>: the Host (started by <c>make run</c>
    /// in src/Host) and <c>./ledger token</c> (run in the checkout) must read one key, and never one under src/.
    /// </summary>
    public static LedgerSigningKeys Load(LedgerAuthOptions options, IConfiguration configuration, bool isDevelopment)
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
        return Load(resolved, isDevelopment || isDefaultPath);
    }

    /// <summary>The keys at the paths given (relative ones against the current directory), generated when missing if <paramref name="mayGenerate"/>.</summary>
    public static LedgerSigningKeys Load(LedgerAuthOptions options, bool mayGenerate)
    {
        ArgumentNullException.ThrowIfNull(options);
        var privatePath = Path.GetFullPath(options.SigningKeyPath);

        if (!string.IsNullOrWhiteSpace(options.PublicKeyPath))
        {
            var publicKey = ReadPem(Path.GetFullPath(options.PublicKeyPath));
            var privateKey = File.Exists(privatePath) ? ReadPem(privatePath) : null;
            if (privateKey is not null && LedgerSigningKeys.KeyIdOf(privateKey) != LedgerSigningKeys.KeyIdOf(publicKey))
                throw new InvalidOperationException("Ledger:Auth:SigningKeyPath and PublicKeyPath hold different keys.");
            return new LedgerSigningKeys(publicKey, privateKey);
        }

        if (!File.Exists(privatePath))
        {
            if (!mayGenerate)
                throw new InvalidOperationException(
                    $"The token signing key {privatePath} does not exist (set Ledger:Auth:SigningKeyPath or Ledger:Auth:PublicKeyPath).");
            Generate(privatePath);
        }

        var key = ReadPem(privatePath);
        var publicOnly = RSA.Create();
        publicOnly.ImportSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
        return new LedgerSigningKeys(publicOnly, key);
    }

    /// <summary>
    /// Writes a new RSA 2048 key as PKCS#8 PEM, readable by its owner only. Written to a temporary file and moved
    /// into place, so a process starting at the same moment never reads half a key; if another one won, its key stays.
    /// </summary>
    public static void Generate(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var rsa = RSA.Create(2048);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var writer = new StreamWriter(temporary, options))
            writer.Write(rsa.ExportPkcs8PrivateKeyPem());
        try
        {
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
        }
    }

    private static RSA ReadPem(string path)
    {
        if (!File.Exists(path)) throw new InvalidOperationException($"The key file {path} does not exist.");
        var rsa = RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(path));
        return rsa;
    }
}

using System.Security.Cryptography;
using System.Text;

namespace Ledger.EventStore.Keys;

/// <summary>
/// A symmetric secret in a file (the privacy master key: base64 text), owner-only like the private keys, and encrypted
/// under <see cref="KeyProtection.Passphrase"/> when one is set — in the format <c>openssl enc -aes-256-cbc -pbkdf2
/// -iter 600000 -md sha256 -salt -a</c> writes (<c>Salted__</c>, an 8-byte salt, AES-256-CBC under PBKDF2-SHA-256), so an
/// operator's shell (docker-compose's keygen) can make one and <c>openssl enc -d</c> with the same options reads it.
/// </summary>
public static class SecretKeyFile
{
    private const int Iterations = 600_000;
    private static readonly byte[] Magic = "Salted__"u8.ToArray();

    /// <summary>The secret's text, decrypted when the file is encrypted.</summary>
    /// <exception cref="UnsafeKeyFileException">others may read it, it is in clear where that is refused, or it cannot be decrypted.</exception>
    public static string Read(string path, KeyProtection protection)
    {
        ArgumentNullException.ThrowIfNull(protection);
        PrivateKeyFile.RefuseShared(path);
        var text = File.ReadAllText(path).Trim();
        if (EncryptedBytes(text) is not { } encrypted)
        {
            if (protection.RequireEncrypted)
                throw new UnsafeKeyFileException(
                    $"The key file {path} is not encrypted, and this environment requires it: set Ledger:Keys:Passphrase (or PassphraseFile) and run `ledger keys encrypt`.");
            return text;
        }
        if (string.IsNullOrEmpty(protection.Passphrase))
            throw new UnsafeKeyFileException($"The key file {path} is encrypted: set Ledger:Keys:Passphrase or Ledger:Keys:PassphraseFile.");
        try
        {
            using var aes = Cipher(protection.Passphrase, encrypted.AsSpan(Magic.Length, 8));
            return Encoding.UTF8.GetString(aes.DecryptCbc(encrypted.AsSpan(Magic.Length + 8), aes.IV)).Trim();
        }
        catch (CryptographicException e)
        {
            throw new UnsafeKeyFileException($"The key file {path} cannot be decrypted with the configured passphrase.", e);
        }
    }

    /// <summary>Writes <paramref name="secret"/> to <paramref name="path"/> (0600), encrypted when a passphrase is set.</summary>
    public static void Write(string path, string secret, KeyProtection protection, bool replace = false)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(protection);
        var text = secret + "\n";
        if (!string.IsNullOrEmpty(protection.Passphrase))
        {
            var salt = RandomNumberGenerator.GetBytes(8);
            using var aes = Cipher(protection.Passphrase, salt);
            text = Convert.ToBase64String([.. Magic, .. salt, .. aes.EncryptCbc(Encoding.UTF8.GetBytes(text), aes.IV)],
                Base64FormattingOptions.InsertLineBreaks) + "\n";
        }
        PrivateKeyFile.WriteOwnerOnly(path, text, replace);
    }

    /// <summary>True when the file holds its secret encrypted.</summary>
    public static bool IsEncrypted(string path) => EncryptedBytes(File.ReadAllText(path).Trim()) is not null;

    private static byte[]? EncryptedBytes(string text)
    {
        try
        {
            var bytes = Convert.FromBase64String(text.Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal));
            return bytes.Length > Magic.Length + 8 && bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic) ? bytes : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    // OpenSSL's -pbkdf2: one PBKDF2 output split into the AES key (32 bytes) and the IV (16).
    private static Aes Cipher(string passphrase, ReadOnlySpan<byte> salt)
    {
        var derived = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(passphrase), salt, Iterations, HashAlgorithmName.SHA256, 48);
        var aes = Aes.Create();
        aes.Key = derived[..32];
        aes.IV = derived[32..];
        return aes;
    }
}

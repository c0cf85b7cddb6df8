using System.Security.Cryptography;

namespace Ledger.EventStore.Keys;

/// <summary>
/// How private keys are kept on disk: <see cref="Passphrase"/> encrypts them (PKCS#8 <c>ENCRYPTED PRIVATE KEY</c>,
/// PBES2 with AES-256-CBC and PBKDF2-SHA-256), and <see cref="RequireEncrypted"/> refuses a key file in clear
/// (production). Without a passphrase keys are written in clear, as development wants.
/// </summary>
public sealed record KeyProtection(string? Passphrase, bool RequireEncrypted = false)
{
    public static readonly KeyProtection None = new(Passphrase: null);

    // 600k iterations (OWASP's 2023 figure for PBKDF2-SHA-256) cost about 0.3 s per key at start, once.
    internal static readonly PbeParameters Pbe = new(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 600_000);
}

/// <summary>A key file that must not be used as it is: readable by others, in clear where encryption is required, or undecryptable.</summary>
public sealed class UnsafeKeyFileException(string message, Exception? inner = null) : InvalidOperationException(message, inner);

/// <summary>
/// Reads and writes private key files: owner-only (a file whose mode lets its group or others in is refused, before
/// it is read), encrypted under <see cref="KeyProtection.Passphrase"/> when one is set, written through a temporary file
/// moved into place so a process starting at the same moment never reads half a key.
/// </summary>
public static class PrivateKeyFile
{
    private const string EncryptedLabel = "-----BEGIN ENCRYPTED PRIVATE KEY-----";

    /// <summary>Imports the key at <paramref name="path"/> into <paramref name="key"/>.</summary>
    /// <exception cref="UnsafeKeyFileException">others may read it, it is in clear where that is refused, or it cannot be decrypted.</exception>
    public static void Import(AsymmetricAlgorithm key, string path, KeyProtection protection)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(protection);
        RefuseShared(path);
        var pem = File.ReadAllText(path);
        if (!pem.Contains(EncryptedLabel, StringComparison.Ordinal))
        {
            if (protection.RequireEncrypted)
                throw new UnsafeKeyFileException(
                    $"The key file {path} is not encrypted, and this environment requires it: set Ledger:Keys:Passphrase (or PassphraseFile) and run `ledger keys encrypt`.");
            key.ImportFromPem(pem);
            return;
        }
        if (string.IsNullOrEmpty(protection.Passphrase))
            throw new UnsafeKeyFileException($"The key file {path} is encrypted: set Ledger:Keys:Passphrase or Ledger:Keys:PassphraseFile.");
        try
        {
            key.ImportFromEncryptedPem(pem, protection.Passphrase);
        }
        catch (CryptographicException e)
        {
            throw new UnsafeKeyFileException($"The key file {path} cannot be decrypted with the configured passphrase.", e);
        }
    }

    /// <summary>Writes <paramref name="key"/> to <paramref name="path"/> (0600), unless <paramref name="replace"/> is false and a file is there already.</summary>
    public static void Write(string path, AsymmetricAlgorithm key, KeyProtection protection, bool replace = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(protection);
        var pem = string.IsNullOrEmpty(protection.Passphrase)
            ? key.ExportPkcs8PrivateKeyPem()
            : key.ExportEncryptedPkcs8PrivateKeyPem(protection.Passphrase, KeyProtection.Pbe);
        WriteOwnerOnly(path, pem, replace);
    }

    /// <summary>
    /// Writes <paramref name="text"/> to <paramref name="path"/> (0600) through a temporary file moved into place, so a
    /// process starting at the same moment never reads half a key; unless <paramref name="replace"/>, a file already
    /// there stays (another process wrote its key first).
    /// </summary>
    internal static void WriteOwnerOnly(string path, string text, bool replace)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var writer = new StreamWriter(temporary, options))
            writer.Write(text);
        try
        {
            File.Move(temporary, path, overwrite: replace);
        }
        catch (IOException) when (!replace && File.Exists(path))
        {
            File.Delete(temporary); // another process wrote its key first: that one stays
        }
    }

    /// <exception cref="UnsafeKeyFileException">the file's mode lets its group or others read or write it.</exception>
    public static void RefuseShared(string path)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(path)) return;
        const UnixFileMode shared = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(path);
        if ((mode & shared) != 0)
            throw new UnsafeKeyFileException(
                $"The key file {path} can be read by others (mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')}): run `chmod 600 {path}`, and replace the key if others may have read it.");
    }
}

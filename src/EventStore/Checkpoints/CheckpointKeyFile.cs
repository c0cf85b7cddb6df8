using Ledger.EventStore.Keys;

namespace Ledger.EventStore.Checkpoints;

/// <summary>
/// Where the checkpoint signing key comes from: PEM text handed over by configuration (a secret store), or a PEM
/// file, owner-only and encrypted under the configured passphrase (<see cref="PrivateKeyFile"/>). A missing file is
/// generated only where the caller says that is safe (development, or the default dev path inside the git-ignored
/// <c>.ledger/</c> folder), as the token signing key is.
/// </summary>
public static class CheckpointKeyFile
{
    public static CheckpointKey Load(string? pem, string path, bool mayGenerate, KeyProtection? protection = null)
    {
        if (!string.IsNullOrWhiteSpace(pem)) return CheckpointKey.FromPem(pem);
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            if (!mayGenerate)
                throw new InvalidOperationException(
                    $"The checkpoint signing key {fullPath} does not exist (set Ledger:Checkpoints:KeyPath or Ledger:Checkpoints:PrivateKeyPem).");
            Generate(fullPath, protection);
        }
        return CheckpointKey.FromFile(fullPath, protection ?? KeyProtection.None);
    }

    /// <summary>Writes a new P-256 key as PKCS#8 PEM, readable by its owner only; if another process wrote one first, its key stays.</summary>
    public static void Generate(string path, KeyProtection? protection = null)
    {
        using var key = CheckpointKey.Generate();
        Write(path, key, protection);
    }

    /// <summary>Writes <paramref name="key"/> to <paramref name="path"/> as <see cref="Generate"/> does, unless a file is already there.</summary>
    public static void Write(string path, CheckpointKey key, KeyProtection? protection = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        key.WriteTo(path, protection ?? KeyProtection.None);
    }
}

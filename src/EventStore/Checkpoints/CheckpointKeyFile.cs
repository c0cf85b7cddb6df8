namespace Ledger.EventStore.Checkpoints;

/// <summary>
/// Where the checkpoint signing key comes from: PEM text handed over by configuration (a secret store), or a PEM
/// file. A missing file is generated only where the caller says that is safe (development, or the default dev path
/// inside the git-ignored <c>.ledger/</c> folder), as the token signing key is.
/// </summary>
public static class CheckpointKeyFile
{
    public static CheckpointKey Load(string? pem, string path, bool mayGenerate)
    {
        if (!string.IsNullOrWhiteSpace(pem)) return CheckpointKey.FromPem(pem);
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            if (!mayGenerate)
                throw new InvalidOperationException(
                    $"The checkpoint signing key {fullPath} does not exist (set Ledger:Checkpoints:KeyPath or Ledger:Checkpoints:PrivateKeyPem).");
            Generate(fullPath);
        }
        return CheckpointKey.FromPem(File.ReadAllText(fullPath));
    }

    /// <summary>
    /// Writes a new P-256 key as PKCS#8 PEM, readable by its owner only, through a temporary file moved into place so
    /// a process starting at the same moment never reads half a key; if another one won, its key stays.
    /// </summary>
    public static void Generate(string path)
    {
        using var key = CheckpointKey.Generate();
        Write(path, key);
    }

    /// <summary>Writes <paramref name="key"/> to <paramref name="path"/> as <see cref="Generate"/> does, unless a file is already there.</summary>
    public static void Write(string path, CheckpointKey key)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(key);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var writer = new StreamWriter(temporary, options))
            writer.Write(key.ToPem());
        try
        {
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
        }
    }
}

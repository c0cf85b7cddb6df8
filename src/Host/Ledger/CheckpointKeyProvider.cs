using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Keys;
using Ledger.Host.Configuration;
using Microsoft.Extensions.Options;

namespace Ledger.Host.Auditing;

/// <summary>
/// The checkpoint signing key, loaded on first use: from <c>Ledger:Checkpoints:PrivateKeyPem</c>, else the PEM file at
/// <c>KeyPath</c> (under <c>Ledger:DataDirectory</c> when relative: the Host and the CLI share one file). A missing file
/// is generated only in development or at the default path, as the token key is; anywhere else it is a configuration
/// error, reported when first needed. <see cref="Reload"/> picks up a key that <c>ledger checkpoints rotate-key</c> wrote.
/// </summary>
public sealed class CheckpointKeyProvider(IOptions<CheckpointOptions> options, IConfiguration configuration, IHostEnvironment environment) : IDisposable
{
    private readonly Lock gate = new();
    private readonly List<CheckpointKey> replaced = [];
    private CheckpointKey? current;

    /// <exception cref="InvalidOperationException">no key is configured.</exception>
    public CheckpointKey Key
    {
        get
        {
            lock (gate) return current ??= Load(options.Value, configuration, mayGenerate: environment.IsDevelopment() || IsDefaultPath(options.Value, configuration),
                KeyProtectionOptions.Resolve(configuration, environment.EnvironmentName));
        }
    }

    public string Path => KeyPath(options.Value, configuration);

    /// <summary>Reads the key again (never generating one); true when it changed. The replaced key stays usable until disposal.</summary>
    public bool Reload()
    {
        var fresh = Load(options.Value, configuration, mayGenerate: false, KeyProtectionOptions.Resolve(configuration, environment.EnvironmentName));
        lock (gate)
        {
            if (current?.Kid == fresh.Kid)
            {
                fresh.Dispose();
                return false;
            }
            if (current is not null) replaced.Add(current); // an export may still be signing with it
            current = fresh;
            return true;
        }
    }

    /// <summary><see cref="Reload"/>, false also when the key cannot be read now (it stays as it was).</summary>
    public bool TryReload()
    {
        try
        {
            return Reload();
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException
                                   or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The key file's absolute path.</summary>
    public static string KeyPath(CheckpointOptions options, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(options);
        return LedgerDataDirectory.ResolvePath(configuration, options.KeyPath);
    }

    /// <summary>Where the signer keeps what it signed (<see cref="CheckpointOptions.SignedHeadsPath"/>), absolute.</summary>
    public static string SignedHeadsPath(CheckpointOptions options, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(options.SignedHeadsPath)) return LedgerDataDirectory.ResolvePath(configuration, options.SignedHeadsPath);
        return string.IsNullOrWhiteSpace(options.PrivateKeyPem)
            ? KeyPath(options, configuration) + ".signed.jsonl"
            : LedgerDataDirectory.ResolvePath(configuration, "keys/checkpoint-signed-heads.jsonl");
    }

    public static bool IsDefaultPath(CheckpointOptions options, IConfiguration configuration) =>
        KeyPath(options, configuration) == LedgerDataDirectory.ResolvePath(configuration, CheckpointOptions.DefaultKeyPath);

    public static CheckpointKey Load(CheckpointOptions options, IConfiguration configuration, bool mayGenerate, KeyProtection protection)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(options.PrivateKeyPem)) return CheckpointKey.FromPem(options.PrivateKeyPem);
        return CheckpointKeyFile.Load(null, KeyPath(options, configuration), mayGenerate, protection);
    }

    public void Dispose()
    {
        current?.Dispose();
        foreach (var key in replaced) key.Dispose();
    }
}

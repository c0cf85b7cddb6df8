using Ledger.EventStore.Checkpoints;
using Microsoft.Extensions.Options;

namespace Ledger.Host.Auditing;

/// <summary>
/// The checkpoint signing key, loaded on first use: from <c>Ledger:Checkpoints:PrivateKeyPem</c>, else the PEM file at
/// <c>KeyPath</c>. A missing file is generated only in development or at the default path inside the git-ignored
/// <c>.ledger/</c> folder, as the token key is; anywhere else it is a configuration error, reported when first needed.
/// </summary>
public sealed class CheckpointKeyProvider(IOptions<CheckpointOptions> options, IHostEnvironment environment) : IDisposable
{
    private readonly Lazy<CheckpointKey> key = new(() => Load(options.Value, environment.IsDevelopment()));

    /// <exception cref="InvalidOperationException">no key is configured.</exception>
    public CheckpointKey Key => key.Value;

    public static CheckpointKey Load(CheckpointOptions options, bool isDevelopment)
    {
        ArgumentNullException.ThrowIfNull(options);
        var isDefaultPath = Path.GetFullPath(options.KeyPath) == Path.GetFullPath(CheckpointOptions.DefaultKeyPath);
        return CheckpointKeyFile.Load(options.PrivateKeyPem, options.KeyPath, mayGenerate: isDevelopment || isDefaultPath);
    }

    public void Dispose()
    {
        if (key.IsValueCreated) key.Value.Dispose();
    }
}

using Ledger.EventStore.Keys;
using Ledger.Host.Auditing;

namespace Ledger.Host.Auth;

/// <summary>
/// Refuses to start a Host whose private keys are unsafe on disk (<see cref="PrivateKeyFile"/>: readable by others, in
/// clear where encryption is required, or not decryptable with the configured passphrase) — before anything else
/// starts, rather than at the first request that needs them. Loading them here also generates the dev keys early.
/// </summary>
internal sealed partial class KeyFilesCheck(IServiceProvider services, ILogger<KeyFilesCheck> logger) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        try
        {
            services.GetRequiredService<LedgerSigningKeys>();
            services.GetRequiredService<Ledger.Application.Invoicing.Stamping.ContingencySigner>();
            var checkpoints = services.GetRequiredService<CheckpointKeyProvider>();
            if (File.Exists(checkpoints.Path)) _ = checkpoints.Key;
            services.GetRequiredService<Ledger.EventStore.Privacy.MasterKeyRing>();
        }
        catch (UnsafeKeyFileException e)
        {
            LogUnsafeKey(logger, e.Message);
            throw;
        }
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Critical, Message = "Not starting: {Problem}")]
    private static partial void LogUnsafeKey(ILogger logger, string problem);
}

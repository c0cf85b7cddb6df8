using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Leases;
using Ledger.Host.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Ledger.Host.Auditing;

/// <summary>
/// Registers this process's signing key in the key history at start (a new key is a rotation), then, where enabled,
/// signs due tenants' chain heads every <c>PollSeconds</c> while holding the <c>checkpointer</c> lease, so one process
/// signs at a time and another takes over when it dies. A process whose key was superseded stops signing.
/// </summary>
internal sealed partial class CheckpointService(
    IServiceProvider services,
    IOptions<CheckpointOptions> options,
    LedgerDataSources dataSources,
    TimeProvider clock,
    ILogger<CheckpointService> logger) : BackgroundService
{
    private const string LeaseName = "checkpointer";

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the server takes requests, so exports sign with a registered key from the first request on.
        try
        {
            await RegisterKeyAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            LogRegistrationFailed(logger, e);
        }
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled) return;
        var poll = TimeSpan.FromSeconds(Math.Max(settings.PollSeconds, 0.01));
        AdvisoryLease? lease = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var wait = poll;
                try
                {
                    if (lease is not null && !await lease.StillHeldAsync(stoppingToken))
                    {
                        await lease.DisposeAsync();
                        lease = null;
                    }
                    lease ??= await AdvisoryLease.TryAcquireAsync(dataSources.App, dataSources.Schema, LeaseName, stoppingToken);
                    if (lease is not null && !await SignDueAsync(stoppingToken))
                    {
                        // Superseded: let a process with the active key take the lease.
                        await lease.DisposeAsync();
                        lease = null;
                        wait = poll * 10;
                    }
                }
                catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
                {
                    LogRoundFailed(logger, e);
                }
                await Task.Delay(wait, clock, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (lease is not null) await lease.DisposeAsync();
        }
    }

    private async Task RegisterKeyAsync(CancellationToken ct)
    {
        var key = services.GetRequiredService<CheckpointKeyProvider>().Key;
        var (outcome, previous) = await services.GetRequiredService<SigningKeyHistory>().RegisterAsync(key, clock.GetUtcNow(), ct);
        switch (outcome)
        {
            case KeyRegistration.Rotated: LogRotated(logger, key.Kid, previous ?? "(none)"); break;
            case KeyRegistration.Superseded: LogSuperseded(logger, key.Kid, previous ?? "(none)"); break;
        }
    }

    /// <summary>One round; false when this process's key is no longer the active one.</summary>
    private async Task<bool> SignDueAsync(CancellationToken ct)
    {
        await RegisterKeyAsync(ct);
        foreach (var outcome in await services.GetRequiredService<Checkpointer>().RunOnceAsync(ct))
        {
            switch (outcome.Result)
            {
                case CheckpointResult.Signed: LogSigned(logger, outcome.TenantId, outcome.Checkpoint!.Checkpoint.ChainSeq); break;
                case CheckpointResult.ChainBroken:
                    LogChainBroken(logger, outcome.TenantId, outcome.Failure!.Position, outcome.Failure.Reason.ToString(), outcome.Failure.Detail);
                    break;
                case CheckpointResult.KeyNotActive: return false;
            }
        }
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Checkpoint signing key {Kid} is now active (previous key {PreviousKid})")]
    private static partial void LogRotated(ILogger logger, string kid, string previousKid);

    [LoggerMessage(Level = LogLevel.Error, Message = "Checkpoint signing key {Kid} was superseded by {ActiveKid}; this process will not sign checkpoints")]
    private static partial void LogSuperseded(ILogger logger, string kid, string activeKid);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Signed checkpoint of tenant {TenantId} at {ChainSeq}")]
    private static partial void LogSigned(ILogger logger, string tenantId, long chainSeq);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Tenant {TenantId}'s chain fails to verify at {Position} ({Reason}: {Detail}); not signing it")]
    private static partial void LogChainBroken(ILogger logger, string tenantId, long position, string reason, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not register the checkpoint signing key at start; will retry")]
    private static partial void LogRegistrationFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checkpoint round failed; will retry")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}

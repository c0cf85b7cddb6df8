using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Leases;
using Ledger.Host.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Ledger.Host.Auditing;

/// <summary>
/// Registers this process's signing key in the key history at start when the history has none, then, where enabled,
/// signs due tenants' chain heads every <c>PollSeconds</c> while holding the <c>checkpointer</c> lease, so one process
/// signs at a time and another takes over when it dies. A process whose key is not the active one does not sign; it
/// never makes its key active itself (that is <c>ledger checkpoints rotate-key</c>'s explicit job).
/// </summary>
internal sealed partial class CheckpointService(
    IServiceProvider services,
    IOptions<CheckpointOptions> options,
    LedgerDataSources dataSources,
    TimeProvider clock,
    ILogger<CheckpointService> logger) : BackgroundService
{
    private const string LeaseName = "checkpointer";

    // The key state last logged (outcome, key id, active key id), so a host that may not sign says so once, not every round.
    private (KeyRegistration, string, string?)? reported;

    // A stopped signer says so once per process (each round finds it stopped again).
    private bool haltReported;

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
                    if (lease is null)
                    {
                        lease = await AdvisoryLease.TryAcquireAsync(dataSources.App, dataSources.Schema, LeaseName, stoppingToken);
                        // Taking over: what the host that signed before signed, if the hosts share the signer's record.
                        // Unread, the lease goes back: a signer that could not read its record must not sign.
                        try
                        {
                            if (lease is not null) services.GetRequiredService<SignedHeads>().Refresh();
                        }
                        catch (IOException)
                        {
                            await lease!.DisposeAsync();
                            lease = null;
                            throw;
                        }
                    }
                    if (lease is not null && !await SignDueAsync(stoppingToken))
                    {
                        // Not the active key: let a process holding the active key take the lease.
                        await lease.DisposeAsync();
                        lease = null;
                        wait = poll * 10;
                    }
                }
                catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
                {
                    LogRoundFailed(logger, e);
                }
                catch (IOException e)
                {
                    // The signer's record (SignedHeads) cannot be read or written: signing without it would vouch blind.
                    LogRecordUnavailable(logger, e);
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

    /// <summary>
    /// Registers this process's key when the history has none yet; true when it is the active key. A key that is not
    /// active is never made so here (only <c>ledger checkpoints rotate-key</c> rotates): the file is read again instead,
    /// in case that command just wrote the new active key there. Reported once per state, not every round.
    /// </summary>
    private async Task<bool> RegisterKeyAsync(CancellationToken ct)
    {
        var provider = services.GetRequiredService<CheckpointKeyProvider>();
        var history = services.GetRequiredService<SigningKeyHistory>();
        var key = provider.Key;
        var (outcome, other) = await history.RegisterAsync(key, clock.GetUtcNow(), ct);
        if (outcome is KeyRegistration.Superseded or KeyRegistration.NotActive && provider.TryReload())
        {
            key = provider.Key;
            (outcome, other) = await history.RegisterAsync(key, clock.GetUtcNow(), ct);
        }
        // A key just registered is simply active from the next round on: that is no news to report again.
        var state = outcome == KeyRegistration.Rotated ? (KeyRegistration.Active, key.Kid, null) : (outcome, key.Kid, other);
        if (state != reported)
        {
            reported = state;
            switch (outcome)
            {
                case KeyRegistration.Rotated: LogRotated(logger, key.Kid, other ?? "(none)"); break;
                case KeyRegistration.Active: LogActive(logger, key.Kid, provider.Path); break;
                default: LogNotActive(logger, key.Kid, provider.Path, other ?? "(none)"); break;
            }
        }
        return outcome is KeyRegistration.Active or KeyRegistration.Rotated;
    }

    /// <summary>One round; false when this process's key is not the active one.</summary>
    private async Task<bool> SignDueAsync(CancellationToken ct)
    {
        if (!await RegisterKeyAsync(ct)) return false;
        foreach (var outcome in await services.GetRequiredService<Checkpointer>().RunOnceAsync(ct))
        {
            switch (outcome.Result)
            {
                case CheckpointResult.Signed: LogSigned(logger, outcome.TenantId, outcome.Checkpoint!.Checkpoint.ChainSeq); break;
                case CheckpointResult.ChainBroken:
                    LogChainBroken(logger, outcome.TenantId, outcome.Failure!.Position, outcome.Failure.Reason.ToString(), outcome.Failure.Detail);
                    break;
                case CheckpointResult.KeyNotActive: return false;
                case CheckpointResult.Rewritten:
                    LogRewritten(logger, outcome.TenantId, outcome.Failure!.Position, outcome.Failure.Detail);
                    break;
                case CheckpointResult.Halted when !haltReported:
                    haltReported = true;
                    LogHalted(logger, outcome.Failure!.Position, outcome.Failure.Detail);
                    break;
            }
        }
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Checkpoint signing key {Kid} is now active (previous key {PreviousKid})")]
    private static partial void LogRotated(ILogger logger, string kid, string previousKid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Checkpoint signing key {Kid} ({Path}) is the active key")]
    private static partial void LogActive(ILogger logger, string kid, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Checkpoint signing key {Kid} ({Path}) is not the active key {ActiveKid}; this process will not sign checkpoints until it holds the active key (configure it, or make a key active with `ledger checkpoints rotate-key`)")]
    private static partial void LogNotActive(ILogger logger, string kid, string path, string activeKid);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Signed checkpoint of tenant {TenantId} at {ChainSeq}")]
    private static partial void LogSigned(ILogger logger, string tenantId, long chainSeq);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Tenant {TenantId}'s chain fails to verify at {Position} ({Reason}: {Detail}); not signing it")]
    private static partial void LogChainBroken(ILogger logger, string tenantId, long position, string reason, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "Tenant {TenantId}'s chain is not the one this signer signed (position {Position}): {Detail} Checkpoint signing has stopped for every tenant; restore the database, or move the signer's record aside once the chain as it is must be vouched for")]
    private static partial void LogRewritten(ILogger logger, string tenantId, long position, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "Checkpoint signing is stopped: a chain lacks the head this signer signed at position {Position} ({Detail})")]
    private static partial void LogHalted(ILogger logger, long position, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "The checkpoint signer's record of what it signed cannot be read or written; not signing")]
    private static partial void LogRecordUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not register the checkpoint signing key at start; will retry")]
    private static partial void LogRegistrationFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checkpoint round failed; will retry")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}

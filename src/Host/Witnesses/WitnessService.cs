using Ledger.EventStore.Leases;
using Ledger.Host.Configuration;
using Ledger.Messaging.Witnesses;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Ledger.Host.Witnesses;

/// <summary>
/// Publishes every stored checkpoint to every configured witness (<see cref="WitnessPublisher"/>), each witness on a
/// loop of its own under a lease of its own (<c>checkpoint_witness:&lt;name&gt;</c>), so one host publishes to a witness
/// at a time, another takes over when it dies, and a witness that is down is retried with a growing delay while the
/// others, and the signer, carry on. A witness holding another checkpoint at a position is a fork: logged as an Error
/// on every attempt, and never skipped.
/// </summary>
internal sealed partial class WitnessService(
    IReadOnlyList<ICheckpointWitness> witnesses,
    WitnessDeliveries deliveries,
    CheckpointNotes notes,
    WitnessStatus status,
    LedgerDataSources dataSources,
    IOptions<WitnessOptions> options,
    TimeProvider clock,
    ILogger<WitnessService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // What a transparency-log witness must be configured with to check Ledger's notes (per tenant: origin <key name>/<tenant>).
        if (notes.VerifierKey() is { } verifierKey) LogVerifierKey(logger, witnesses.Select(w => w.Name).ToList(), verifierKey);
        return Task.WhenAll(witnesses.Select(w => Task.Run(() => RunAsync(new WitnessPublisher(deliveries, notes, w), stoppingToken), stoppingToken)));
    }

    private async Task RunAsync(WitnessPublisher publisher, CancellationToken ct)
    {
        var poll = TimeSpan.FromSeconds(Math.Max(options.Value.PollSeconds, 0.01));
        var maxRetry = TimeSpan.FromSeconds(Math.Max(options.Value.MaxRetrySeconds, options.Value.PollSeconds));
        var name = publisher.Witness.Name;
        var retry = poll;
        var failing = false;
        AdvisoryLease? lease = null;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var wait = poll;
                try
                {
                    if (lease is not null && !await lease.StillHeldAsync(ct))
                    {
                        await lease.DisposeAsync();
                        lease = null;
                    }
                    lease ??= await AdvisoryLease.TryAcquireAsync(dataSources.App, dataSources.Schema, "checkpoint_witness:" + name, ct);
                    if (lease is not null)
                    {
                        var delivered = await publisher.PublishPendingAsync(ct);
                        status.Delivered(name);
                        if (failing) LogRecovered(logger, name, delivered);
                        else if (delivered > 0) LogDelivered(logger, name, delivered);
                        (failing, retry) = (false, poll);
                    }
                }
                catch (WitnessForkException e)
                {
                    LogFork(logger, name, e.Message);
                    status.Forked(name, clock.GetUtcNow(), e.Message);
                    (failing, wait, retry) = (true, retry, Min(retry * 2, maxRetry));
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    // Down, refusing, unreachable, or the database away: what was delivered is recorded; try again later.
                    LogFailed(logger, name, retry.TotalSeconds, e);
                    status.Failed(name, clock.GetUtcNow());
                    (failing, wait, retry) = (true, retry, Min(retry * 2, maxRetry));
                }
                await Task.Delay(wait, clock, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            if (lease is not null) await lease.DisposeAsync();
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    [LoggerMessage(Level = LogLevel.Information, Message = "Publishing checkpoints to witnesses {Witnesses}; checkpoint notes are signed by verifier key {VerifierKey}")]
    private static partial void LogVerifierKey(ILogger logger, IReadOnlyList<string> witnesses, string verifierKey);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Delivered {Count} checkpoints to witness {Witness}")]
    private static partial void LogDelivered(ILogger logger, string witness, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Witness {Witness} is back: delivered {Count} checkpoints it lacked")]
    private static partial void LogRecovered(ILogger logger, string witness, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Witness {Witness} did not take a checkpoint; retrying in {Seconds} s (the others carry on)")]
    private static partial void LogFailed(ILogger logger, string witness, double seconds, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Witness fork at {Witness}: {Detail}")]
    private static partial void LogFork(ILogger logger, string witness, string detail);
}

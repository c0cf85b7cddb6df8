using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ledger.Application.Invoicing.Stamping;

/// <summary>
/// Works the stamping queue: claims due documents, makes one attempt for each (in parallel, since an attempt may wait
/// on a slow authority until the deadline), and files the outcome — done, sealed (then reconciled later), or retry
/// after a backoff. Before the deadline a retry is never scheduled past the contingency cut-off, so a document that
/// keeps failing is sealed in time. Several workers (threads or processes) may run on one queue.
/// </summary>
public sealed partial class StampingWorker(
    StampingQueue queue,
    DocumentStamper stamper,
    StampingOptions options,
    StampingSignal signal,
    TimeProvider clock,
    ILogger<StampingWorker>? logger = null)
{
    private readonly ILogger log = logger ?? NullLogger<StampingWorker>.Instance;

    /// <summary>Names this worker's claims in the queue: machine, process and a random part (several workers per process).</summary>
    public string WorkerId { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    /// <summary>Processes the work due now, one batch at a time, until none is due; returns how many items it handled.</summary>
    public async Task<int> ProcessDueAsync(CancellationToken ct)
    {
        var handled = 0;
        while (true)
        {
            var claimed = await queue.ClaimDueAsync(WorkerId, clock.GetUtcNow(), options.Lease, options.BatchSize, ct).ConfigureAwait(false);
            if (claimed.Count == 0) return handled;
            await Parallel.ForEachAsync(claimed, new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelism, CancellationToken = ct },
                async (work, token) => await ProcessAsync(work, token).ConfigureAwait(false)).ConfigureAwait(false);
            handled += claimed.Count;
        }
    }

    /// <summary>Runs until cancelled: processes due work, then sleeps until the next item is due, a poll, or a signal.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await ProcessDueAsync(ct).ConfigureAwait(false);
                var wait = options.PollInterval;
                if (await queue.NextDueAsync(ct).ConfigureAwait(false) is { } due && due - clock.GetUtcNow() < wait)
                    wait = due - clock.GetUtcNow() is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero;
                await signal.WaitAsync(wait, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogLoopFailed(log, e);
                await Task.Delay(options.PollInterval, clock, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task ProcessAsync(ClaimedWork work, CancellationToken ct)
    {
        try
        {
            var result = await stamper.AttemptAsync(work.TenantId, work.DocumentId, work.IssuedAt + options.Deadline, ct).ConfigureAwait(false);
            var now = clock.GetUtcNow();
            switch (result.Outcome)
            {
                case StampingOutcome.Stamped or StampingOutcome.Rejected or StampingOutcome.NothingToDo:
                    await queue.CompleteAsync(work, WorkerId, ct).ConfigureAwait(false);
                    break;
                case StampingOutcome.ContingencySealed:
                    LogSealed(log, work.DocumentId);
                    await queue.RescheduleAsync(work, WorkerId, StampingQueue.Contingency, 0, now + options.ReconcileDelay, null, ct).ConfigureAwait(false);
                    break;
                default:
                    await RetryLaterAsync(work, result.Error, now, ct).ConfigureAwait(false);
                    break;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // A failure of ours (database, a bug): the item stays queued and is tried again after a backoff.
            LogAttemptFailed(log, e, work.DocumentId);
            await RetryLaterAsync(work, e.Message, clock.GetUtcNow(), ct).ConfigureAwait(false);
        }
    }

    private Task RetryLaterAsync(ClaimedWork work, string? error, DateTimeOffset now, CancellationToken ct)
    {
        var attempts = work.Attempts + 1;
        var reconciling = work.Phase == StampingQueue.Contingency;
        var next = now + options.Backoff(attempts, reconciling ? options.ReconcileMaxBackoff : options.MaxBackoff);
        var cutoff = work.IssuedAt + options.Deadline - options.ContingencyReserve;
        if (!reconciling && next > cutoff) next = cutoff;
        return queue.RescheduleAsync(work, WorkerId, work.Phase, attempts, next, error, ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invoice {InvoiceId} got a contingency seal: the authority did not stamp it in time")]
    private static partial void LogSealed(ILogger logger, Guid invoiceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stamping attempt for {InvoiceId} failed; it will be retried")]
    private static partial void LogAttemptFailed(ILogger logger, Exception exception, Guid invoiceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The stamping loop failed; it continues after a pause")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);
}

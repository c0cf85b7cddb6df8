using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ledger.Application.Invoicing.Stamping;

/// <summary>
/// What the stamping queue's handler does with one message. A <see cref="StampInvoice"/> is worked to the end of the
/// deadline path in one handling: attempts through <see cref="DocumentStamper"/> with backoff and jitter waited here,
/// never past the contingency cut-off, until the authority answers or the stamper seals the invoice in contingency.
/// No scheduled message is on that path: Wolverine delivers scheduled messages when its durability agent polls
/// (<c>ScheduledJobPollingTime</c>, 5 s by default), too coarse for a deadline of 3 s. Reconciliation, which has no
/// deadline, is one attempt per <see cref="ReconcileInvoice"/>, the next one scheduled with a backoff up to
/// <see cref="StampingOptions.ReconcileMaxBackoff"/> (see <see cref="StampingFollowUp"/>).
/// </summary>
public sealed partial class StampingRun(DocumentStamper stamper, StampingOptions options, TimeProvider clock, ILogger<StampingRun>? logger = null)
{
    private readonly ILogger log = logger ?? NullLogger<StampingRun>.Instance;

    /// <summary>The first stamp, within the deadline; a follow-up when the invoice was sealed (or still awaits a reconciliation).</summary>
    /// <exception cref="Exception">a failure of Ledger's own (the database) that outlasted the cut-off: the queue's error policy retries the message.</exception>
    public async Task<StampingFollowUp?> StampAsync(StampInvoice message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        var deadline = message.IssuedAt + options.Deadline;
        var cutoff = deadline - options.ContingencyReserve;
        for (var failures = 1; ; failures++)
        {
            DocumentStamper.Result result;
            try
            {
                result = await stamper.AttemptAsync(message.TenantId, message.InvoiceId, deadline, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException && clock.GetUtcNow() < cutoff)
            {
                // Ours (the database, a bug), not the authority's: tried again before the cut-off like an unanswered call.
                LogAttemptFailed(log, e, message.InvoiceId);
                result = new DocumentStamper.Result(StampingOutcome.RetryLater, e.Message);
            }

            var now = clock.GetUtcNow();
            switch (result.Outcome)
            {
                case StampingOutcome.Stamped or StampingOutcome.Rejected or StampingOutcome.NothingToDo:
                    return null;
                case StampingOutcome.ContingencySealed:
                    LogSealed(log, message.InvoiceId);
                    return Reconcile(message.TenantId, message.InvoiceId, message.IssuedAt, 0, now + options.ReconcileDelay);
                case StampingOutcome.RetryLater when now >= cutoff:
                    // Only an invoice already sealed is left unanswered past the cut-off (the stamper seals the others).
                    return Reconcile(message.TenantId, message.InvoiceId, message.IssuedAt, 0, now + options.ReconcileDelay);
                default:
                    var next = now + options.Backoff(failures, options.MaxBackoff);
                    await Task.Delay((next < cutoff ? next : cutoff) - now, clock, ct).ConfigureAwait(false);
                    break;
            }
        }
    }

    /// <summary>One reconciliation attempt; the next one when the authority still did not answer.</summary>
    public async Task<StampingFollowUp?> ReconcileAsync(ReconcileInvoice message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        DocumentStamper.Result result;
        try
        {
            // An invoice not yet sealed (its first handling failed on Ledger's side past the cut-off) is sealed by this
            // attempt: its deadline has passed.
            result = await stamper.AttemptAsync(message.TenantId, message.InvoiceId, message.IssuedAt + options.Deadline, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogAttemptFailed(log, e, message.InvoiceId);
            result = new DocumentStamper.Result(StampingOutcome.RetryLater, e.Message);
        }
        if (result.Outcome is StampingOutcome.Stamped or StampingOutcome.Rejected or StampingOutcome.NothingToDo) return null;
        var attempt = result.Outcome == StampingOutcome.ContingencySealed ? 0 : message.Attempt + 1;
        var wait = attempt == 0 ? options.ReconcileDelay : options.Backoff(attempt, options.ReconcileMaxBackoff);
        return Reconcile(message.TenantId, message.InvoiceId, message.IssuedAt, attempt, clock.GetUtcNow() + wait);
    }

    private static StampingFollowUp Reconcile(string tenantId, Guid invoiceId, DateTimeOffset issuedAt, int attempt, DateTimeOffset at) =>
        new(new ReconcileInvoice(tenantId, invoiceId, issuedAt, attempt), at);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invoice {InvoiceId} got a contingency seal: the authority did not stamp it in time")]
    private static partial void LogSealed(ILogger logger, Guid invoiceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stamping attempt for {InvoiceId} failed; it will be retried")]
    private static partial void LogAttemptFailed(ILogger logger, Exception exception, Guid invoiceId);
}

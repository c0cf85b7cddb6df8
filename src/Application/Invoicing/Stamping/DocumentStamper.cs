using Ledger.Application.Invoicing.Events;
using Ledger.Application.Invoicing.Settings;
using Ledger.Domain;
using Ledger.Domain.Invoicing;
using Ledger.EventStore;

namespace Ledger.Application.Invoicing.Stamping;

/// <summary>
/// One stamping attempt for one invoice: ask the authority (within what is left before the contingency cut-off, or
/// the call timeout while reconciling) and record its answer; past the cut-off, or while the
/// authority's circuit is open (<see cref="GuardedFiscalAuthority"/>), record a contingency seal instead.
/// Every record is decided against the invoice as just read and appended with that version expected, so when two
/// workers race on one invoice, one append wins and the other, re-reading, finds the answer recorded and records
/// nothing: an invoice is stamped once, however many attempts overlap.
/// </summary>
public sealed class DocumentStamper(
    IEventStore store,
    IFiscalAuthority authority,
    ContingencySigner signer,
    IssuerProfiles issuers,
    StampingOptions options,
    TimeProvider clock)
{
    public const string Actor = "ledger-stamping";
    private const int RecordAttempts = 5;
    private readonly FiscalDocuments documents = new(store);

    /// <summary>The error of the last attempt that got no answer, for the queue's <c>last_error</c>.</summary>
    public sealed record Result(StampingOutcome Outcome, string? Error = null);

    public async Task<Result> AttemptAsync(string tenantId, Guid invoiceId, DateTimeOffset deadline, CancellationToken ct)
    {
        var (state, _) = await documents.FoldInvoiceAsync(tenantId, invoiceId, ct).ConfigureAwait(false);
        if (state is not Invoice.Issued { Stamping.AwaitsAuthority: true } invoice)
            return new Result(StampingOutcome.NothingToDo);

        var reconciling = invoice.Stamping is InvoiceStamping.Contingency;
        var cutoff = deadline - options.ContingencyReserve;
        var now = clock.GetUtcNow();
        if (!reconciling && now >= cutoff)
            return await SealAsync(tenantId, invoice.Facts, "the authority did not stamp before the deadline", ct).ConfigureAwait(false);

        var timeout = reconciling ? options.CallTimeout : Min(options.CallTimeout, cutoff - now);
        string error;
        try
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(timeout);
            var issuer = await issuers.ForAsync(tenantId, ct).ConfigureAwait(false);
            var response = await authority.StampAsync(Request(tenantId, issuer, invoice.Facts), wait.Token).ConfigureAwait(false);
            return response switch
            {
                StampResponse.Stamped s => await RecordAsync(tenantId, invoiceId, now => new RecordStamp(invoiceId, s.Stamp, now, Actor), StampingOutcome.Stamped, ct).ConfigureAwait(false),
                StampResponse.Rejected r => await RecordAsync(tenantId, invoiceId, now => new RecordStampRejection(invoiceId, r.Code, r.Reason, now, Actor), StampingOutcome.Rejected, ct).ConfigureAwait(false),
                _ => throw new InvalidOperationException($"Unknown authority response {response.GetType().Name}."),
            };
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            error = $"the authority did not answer within {timeout.TotalMilliseconds:0} ms";
        }
        catch (FiscalAuthorityCircuitOpenException e) when (!reconciling)
        {
            // The authority keeps failing and is not being called: seal now rather than spend the deadline waiting.
            return await SealAsync(tenantId, invoice.Facts, e.Message, ct).ConfigureAwait(false);
        }
        catch (FiscalAuthorityUnavailableException e)
        {
            error = e.Message;
        }

        if (!reconciling && clock.GetUtcNow() >= cutoff)
            return await SealAsync(tenantId, invoice.Facts, error, ct).ConfigureAwait(false);
        return new Result(StampingOutcome.RetryLater, error);
    }

    private async Task<Result> SealAsync(string tenantId, InvoiceFacts invoice, string reason, CancellationToken ct)
    {
        var seal = signer.Seal(tenantId, invoice, clock.GetUtcNow());
        return await RecordAsync(tenantId, invoice.InvoiceId, now => new RecordContingencyStamp(invoice.InvoiceId, seal, reason, now, Actor),
            StampingOutcome.ContingencySealed, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Decides against the invoice as it is and appends with its version expected; on a conflict, decides again. When
    /// the decision is that nothing happens (another worker recorded the answer), the outcome is what the invoice shows.
    /// </summary>
    private async Task<Result> RecordAsync(string tenantId, Guid invoiceId, Func<DateTimeOffset, InvoiceCommand> command, StampingOutcome done, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (state, version) = await documents.FoldInvoiceAsync(tenantId, invoiceId, ct).ConfigureAwait(false);
            InvoiceEvent[] events;
            try
            {
                events = InvoiceDecider.Decide(command(clock.GetUtcNow()), state);
            }
            catch (DomainError e) when (e.Code is InvoiceErrors.AlreadyStamped or InvoiceErrors.StampRejected)
            {
                return new Result(Settled(state) ?? StampingOutcome.NothingToDo);
            }
            if (events.Length == 0) return new Result(Settled(state) ?? done);

            var append = new StreamAppend(InvoiceStreams.Invoice(invoiceId), ExpectedVersion.Exactly(version),
                [.. events.Select(e => FiscalEvents.ToAppend(InvoiceEventCodec.Encode(e), Actor, clock.GetUtcNow()))]);
            try
            {
                await store.AppendAsync(tenantId, [append], ct).ConfigureAwait(false);
                return new Result(done);
            }
            catch (ConcurrencyException) when (attempt < RecordAttempts)
            {
                // Another worker recorded something first: decide again against what it left.
            }
        }
    }

    /// <summary>The final outcome an invoice already shows, or null while it still awaits the authority.</summary>
    private static StampingOutcome? Settled(Invoice state) => state switch
    {
        Invoice.Issued { Stamping: InvoiceStamping.Stamped } => StampingOutcome.Stamped,
        Invoice.Issued { Stamping: InvoiceStamping.Rejected } => StampingOutcome.Rejected,
        _ => null,
    };

    private static StampRequest Request(string tenantId, IssuerProfile issuer, InvoiceFacts invoice) => new(
        tenantId, invoice.InvoiceId, "invoice", invoice.Number.Text, invoice.IssueDate, issuer.TaxId?.Value, invoice.Customer.TaxId?.Value,
        invoice.Currency, invoice.Totals.Tax, invoice.Totals.Total);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

using Ledger.EventStore.MartenStore;
using Marten;
using Wolverine.Attributes;
using Wolverine.ErrorHandling;
using Wolverine.Runtime.Handlers;

namespace Ledger.Application.Invoicing;

/// <summary>
/// The fiscal document commands as Wolverine handlers: the issuer stages the document, its number and its chain record
/// on the handler's Marten session with the command's audit entry (<see cref="ICommandJournal"/>), and Wolverine's
/// transactional middleware commits them together. These are multi-stream commands (the document, its series, the
/// invoice credited, the VERI*FACTU chain), so the handler takes the session rather than one aggregate.
/// </summary>
public static class FiscalCommandHandler
{
    /// <summary>
    /// Attempts of an issue that lost a race at commit. Issues take numbers in turn under the tenant's fiscal lock, so
    /// the race is only with a writer that takes no such lock — the stamper, appending to an invoice a credit note
    /// expected at the version it read. A short pause between attempts lets that writer finish.
    /// </summary>
    public static readonly TimeSpan[] ConflictCooldowns =
        [TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100)];

    /// <summary>
    /// Wolverine's hook for each of this class's chains: a lost race is decided again; a failure is the caller's to
    /// log (a refusal is an answer, logged where it is answered), as for order commands.
    /// </summary>
    public static void Configure(HandlerChain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        chain.OnException(LedgerMarten.IsConflict).RetryWithCooldown(ConflictCooldowns);
        chain.FailureLogLevel = Microsoft.Extensions.Logging.LogLevel.Debug;
    }

    [Transactional]
    public static Task<DocumentWritten> Handle(IssueInvoiceCommand command, IDocumentSession session, InvoiceIssuer issuer,
        ICommandJournal journal, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(issuer);
        return issuer.IssueAsync(session, journal, command.Context, command.Request, ct);
    }

    [Transactional]
    public static Task<DocumentWritten> Handle(IssueCreditNoteCommand command, IDocumentSession session, CreditNoteIssuer issuer,
        ICommandJournal journal, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(issuer);
        return issuer.IssueAsync(session, journal, command.Context, command.Request, ct);
    }
}

using Ledger.Application.Invoicing.Stamping;
using Wolverine;
using Wolverine.ErrorHandling;
using Wolverine.Runtime.Handlers;

namespace Ledger.Host.Invoicing;

/// <summary>
/// The stamping queue's handler (<see cref="LedgerStamping"/>): the work is <see cref="StampingRun"/>'s; a reconciliation
/// still to do goes back to the queue as a scheduled <see cref="ReconcileInvoice"/>, stored in the same durable inbox.
/// </summary>
public static class StampingHandler
{
    public static async Task<OutgoingMessages> HandleAsync(StampInvoice message, StampingRun run, CancellationToken ct) =>
        FollowUp(await run.StampAsync(message, ct).ConfigureAwait(false));

    public static async Task<OutgoingMessages> HandleAsync(ReconcileInvoice message, StampingRun run, CancellationToken ct) =>
        FollowUp(await run.ReconcileAsync(message, ct).ConfigureAwait(false));

    /// <summary>
    /// A handling that failed on Ledger's side (the database, once <see cref="StampingRun"/> stopped trying inline) is
    /// tried again, never dead-lettered: an invoice must end stamped, refused or sealed. A few quick retries in place,
    /// then scheduled ones for as long as it takes.
    /// </summary>
    public static void Configure(HandlerChain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        chain.OnAnyException()
            .RetryWithCooldown(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2))
            .Then.ScheduleRetryIndefinitely(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30));
    }

    private static OutgoingMessages FollowUp(StampingFollowUp? next)
    {
        var outgoing = new OutgoingMessages();
        if (next is not null) outgoing.Schedule(next.Message, next.At);
        return outgoing;
    }
}

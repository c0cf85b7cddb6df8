using Ledger.Application.Audit;
using Marten;

namespace Ledger.Application;

/// <summary>
/// Where an accepted command's audit entry is written — and, for a request with an <c>Idempotency-Key</c>, the key's
/// claim: on the command's own Marten session, so both commit with its events or not at all. The Host implements it
/// for the transport the command came by; refusals, which append nothing, are recorded there too, after the fact.
/// </summary>
public interface ICommandJournal
{
    /// <summary>
    /// Stages the entry of an accepted command about <paramref name="entity"/> that wrote <paramref name="written"/>
    /// on <paramref name="session"/> (after the command's own events, so they end the append), which the caller then
    /// saves. May open the session's transaction to take the locks the entry needs.
    /// </summary>
    Task RecordAcceptedAsync(IDocumentSession session, CommandContext context, string entity, IReadOnlyList<AuditedStream> written,
        CancellationToken ct);
}

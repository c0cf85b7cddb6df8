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
    /// Opens the command's transaction on <paramref name="session"/> and takes the locks every write takes first — an
    /// <c>Idempotency-Key</c>'s claim, the audit stream of <paramref name="entity"/> — for a command that then takes
    /// locks of its own before it reads what it decides on (an issuer: its tenant's fiscal lock), so that locks are
    /// always taken in one order. Optional: <see cref="RecordAcceptedAsync"/> takes them if this was not called.
    /// </summary>
    Task BeginAsync(IDocumentSession session, CommandContext context, string entity, CancellationToken ct);

    /// <summary>
    /// Stages the entry of an accepted command about <paramref name="entity"/> that wrote <paramref name="written"/>
    /// on <paramref name="session"/> (after the command's own events, so they end the append), which the caller then
    /// saves. May open the session's transaction to take the locks the entry needs.
    /// </summary>
    Task RecordAcceptedAsync(IDocumentSession session, CommandContext context, string entity, IReadOnlyList<AuditedStream> written,
        CancellationToken ct);
}

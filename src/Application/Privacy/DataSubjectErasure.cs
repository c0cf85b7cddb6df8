using Ledger.Application.Audit;
using Ledger.EventStore.Privacy;
using Marten;
using Wolverine.Attributes;
using Wolverine.Runtime.Handlers;

namespace Ledger.Application.Privacy;

/// <summary>
/// Erasure of a data subject (crypto-shredding), as a Wolverine handler whose transaction holds it all: the subject's
/// live key is destroyed (waiting for any command sealing under it to commit first, so nothing sealed before the erasure
/// survives it), every store that kept a copy purges it, and the command's audit entry — the subject's pseudonymous id
/// and the counts, no personal data — commits with them. The events are not touched: the chain, its checkpoints, proofs
/// and exports verify as before, and the sealed fields in them can no longer be opened by anyone.
/// </summary>
public static class DataSubjectErasure
{
    public static void Configure(HandlerChain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        chain.FailureLogLevel = Microsoft.Extensions.Logging.LogLevel.Debug;
    }

    /// <exception cref="Domain.DomainError"><c>data_subject.not_found</c>: no key and no event names the subject.</exception>
    [Transactional]
    public static async Task<ErasureReport> Handle(EraseDataSubject command, IDocumentSession session, ICommandJournal journal,
        IEnumerable<IPersonalDataHolder> holders, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(journal);
        var context = command.Context;
        var entity = EraseDataSubject.Entity(command.SubjectId);
        await journal.BeginAsync(session, context, entity, ct);
        await session.BeginTransactionAsync(ct);
        var connection = session.Connection ?? throw new InvalidOperationException("The session has no open connection.");

        // Locked now (after every sealer under it commits), destroyed as the session's own work: saving the session
        // commits the erasure even when no journal stages an entry with it.
        var destroyed = await SubjectKeys.LockForErasureAsync(connection, context.TenantId, command.SubjectId, ct);
        session.QueueSqlCommand(SubjectKeys.EraseStatement, context.Now, context.TenantId, command.SubjectId);
        var history = await SubjectKeys.HistoryAsync(connection, context.TenantId, command.SubjectId, ct);
        var records = await DataSubjectRecords.FindAsync(connection, context.TenantId, command.SubjectId, ct);
        if (history.Count == 0 && records.Count == 0)
            throw new Domain.DomainError("data_subject.not_found", $"No personal data about data subject '{command.SubjectId}' is kept in this tenant.");
        var purged = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var holder in holders) purged[holder.Name] = await holder.PurgeAsync(connection, context.TenantId, command.SubjectId, ct);

        await journal.RecordAcceptedAsync(session, context, entity, [], ct);
        return new ErasureReport(
            command.SubjectId,
            context.Now,
            destroyed is { } generation ? [generation] : [],
            [.. history.Where(h => h.ErasedAt is not null && h.Generation != destroyed).Select(h => h.Generation)],
            records.Count(r => r.Personal.IsSealed),
            records.Count(r => !r.Personal.IsSealed),
            purged,
            entity);
    }
}

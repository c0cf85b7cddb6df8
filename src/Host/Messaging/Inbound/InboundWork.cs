using Ledger.Application;
using Ledger.Application.Audit;
using Ledger.Application.Orders;
using Ledger.EventStore;
using Ledger.EventStore.MartenStore;
using Ledger.EventStore.Privacy;
using Marten;
using Npgsql;

namespace Ledger.Host.Messaging.Inbound;

/// <summary>
/// What an inbound message's command works with, all inside the message's transaction (<see cref="InboundCommands"/>):
/// Marten sessions enlisted in it. It is also the command's journal: an accepted command's audit entry, listing the
/// streams it wrote, is staged on the command's session after its events (<see cref="InboundCommands"/> writes the
/// entry of a command that appended nothing).
/// </summary>
public sealed class InboundWork : ICommandJournal
{
    private readonly MartenEventStore store;
    private readonly SubjectKeys subjectKeys;
    private readonly NpgsqlTransaction transaction;
    private readonly string tenantId;
    private readonly Func<IReadOnlyList<AuditedStream>, StreamAppend> auditEntry;

    /// <param name="auditEntry">The accepted command's entry for the streams it wrote, at its audit stream's locked version.</param>
    internal InboundWork(MartenEventStore store, SubjectKeys subjectKeys, NpgsqlTransaction transaction, string tenantId,
        Func<IReadOnlyList<AuditedStream>, StreamAppend> auditEntry)
    {
        this.store = store;
        this.subjectKeys = subjectKeys;
        this.transaction = transaction;
        this.tenantId = tenantId;
        this.auditEntry = auditEntry;
    }

    /// <summary>Whether an accepted command's entry was staged (and, once its session saved, written).</summary>
    public bool Recorded { get; private set; }

    /// <summary>A session of the message's tenant that reads inside the transaction (its own writes included).</summary>
    private IDocumentSession Session() => store.SessionIn(transaction, tenantId);

    /// <summary>
    /// Decides an order command with the aggregate handler HTTP commands run (<see cref="OrderDecisions"/>) and saves it
    /// into the transaction. No race is lost here: the message's transaction locked the order's audit stream before the
    /// order was read, as every writer of an order does before it commits. A conflict from anywhere else fails the
    /// attempt, and the consumer's retry policy runs the message again (<see cref="InboundErrorPolicy"/>).
    /// </summary>
    /// <exception cref="Domain.DomainError">the order refuses the command.</exception>
    public Task<OrderDecision> DecideAsync(DecideOrder message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        return RunAsync((session, journal, token) => OrderDecisions.DecideOnAsync(session, message, store, subjectKeys, journal, token), ct);
    }

    /// <summary>Runs a command that stages its writes on a session (an issuer), and saves them into the transaction.</summary>
    public async Task<T> RunAsync<T>(Func<IDocumentSession, ICommandJournal, CancellationToken, Task<T>> command, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        await using var session = Session();
        var result = await command(session, this, ct);
        await session.SaveChangesAsync(ct);
        return result;
    }

    /// <summary>Nothing to take: <see cref="InboundCommands"/> locked the entity's audit stream when it opened the transaction.</summary>
    Task ICommandJournal.BeginAsync(IDocumentSession session, CommandContext context, string entity, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Stages the accepted command's entry on its session, after its events.</summary>
    Task ICommandJournal.RecordAcceptedAsync(IDocumentSession session, CommandContext context, string entity,
        IReadOnlyList<AuditedStream> written, CancellationToken ct)
    {
        if (Recorded) throw new InvalidOperationException("A message runs one command: its entry is staged once.");
        store.Stage(session, [auditEntry(written)]);
        Recorded = true;
        return Task.CompletedTask;
    }
}

using Ledger.Application;
using Ledger.Application.Audit;
using Ledger.Application.Orders;
using Ledger.EventStore;
using Ledger.EventStore.MartenStore;
using Marten;
using Npgsql;

namespace Ledger.Host.Messaging.Inbound;

/// <summary>
/// What an inbound message's command works with, all inside the message's transaction (<see cref="InboundCommands"/>):
/// Marten sessions enlisted in it, and the streams the command wrote, which its audit entry lists. It is also the
/// command's journal: the entry itself is appended by <see cref="InboundCommands"/> once the command is done.
/// </summary>
public sealed class InboundWork : ICommandJournal
{
    private readonly MartenEventStore store;
    private readonly NpgsqlTransaction transaction;
    private readonly string tenantId;
    private readonly AppendedStreams events;
    private readonly Dictionary<string, long> written = new(StringComparer.Ordinal);

    internal InboundWork(MartenEventStore store, NpgsqlTransaction transaction, string tenantId)
    {
        this.store = store;
        this.transaction = transaction;
        this.tenantId = tenantId;
        events = new AppendedStreams(new TransactionalEventStore(store, transaction));
    }

    /// <summary>Every stream the command wrote, at its version after.</summary>
    public IReadOnlyList<AuditedStream> Streams =>
        [.. written.Select(w => new AuditedStream(w.Key, w.Value)), .. events.Streams.Where(s => !written.ContainsKey(s.StreamId))];

    /// <summary>The event store inside the transaction (the issuers append through it).</summary>
    public IEventStore Events => events;

    /// <summary>A session of the message's tenant that reads inside the transaction (its own writes included).</summary>
    public IDocumentSession Session() => store.SessionIn(transaction, tenantId);

    /// <summary>
    /// Decides an order command with the aggregate handler HTTP commands run (<see cref="OrderDecisions"/>) and saves it
    /// into the transaction. No race is lost here: the message's transaction locked the order's audit stream before the
    /// order was read, as every writer of an order does before it commits. A conflict from anywhere else fails the
    /// attempt, and the consumer's retry policy runs the message again (<see cref="InboundErrorPolicy"/>).
    /// </summary>
    /// <exception cref="Domain.DomainError">the order refuses the command.</exception>
    public async Task<OrderDecision> DecideAsync(DecideOrder message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        await using var session = Session();
        var decision = await OrderDecisions.DecideOnAsync(session, message, store, this, ct);
        await session.SaveChangesAsync(ct);
        return decision;
    }

    /// <summary>Notes the streams an accepted command wrote, for the message's audit entry.</summary>
    Task ICommandJournal.RecordAcceptedAsync(IDocumentSession session, CommandContext context, string entity,
        IReadOnlyList<AuditedStream> written, CancellationToken ct)
    {
        foreach (var stream in written) this.written[stream.StreamId] = stream.Version;
        return Task.CompletedTask;
    }
}

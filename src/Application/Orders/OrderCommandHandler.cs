using JasperFx.CodeGeneration.Frames;
using JasperFx.Events;
using Ledger.Application.Audit;
using Ledger.Domain.Orders;
using Ledger.EventStore;
using Ledger.EventStore.MartenStore;
using Ledger.EventStore.Privacy;
using Marten;
using Wolverine.ErrorHandling;
using Wolverine.Runtime.Handlers;
using Wolverine.Marten;

namespace Ledger.Application.Orders;

/// <summary>
/// The order command path as a Wolverine aggregate handler: Wolverine loads the order's stream for writing
/// (<see cref="OrderStreamAggregation"/>), the pure decider decides, the events are appended with Ledger's ids, times
/// and metadata, the command's audit entry joins them, and Wolverine's transactional middleware commits the session —
/// Marten checks the stream's version in the database as it appends.
/// </summary>
public static class OrderCommandHandler
{
    /// <summary>
    /// How often a command without an expected version is decided again after losing a race (Wolverine re-runs the
    /// handler with a fresh session). Each lost race means another command committed, so a handful of attempts
    /// settles any realistic burst: a replayed payment becomes a no-op, a second one is refused. A command with an
    /// expected version is not retried: its re-run finds the version moved and refuses it with Ledger's
    /// <see cref="ConcurrencyException"/>, which is no Marten conflict.
    /// </summary>
    public const int MaxAttempts = 5;

    /// <exception cref="Domain.DomainError">the order refuses the command.</exception>
    /// <exception cref="ConcurrencyException">the stream is not at the expected version.</exception>
    /// <summary>
    /// Wolverine's hook for this handler's chain: a lost race (a Marten conflict at commit) is decided again. A failure
    /// is the caller's to log: a refusal (422, 409) is an answer, logged as one where it is answered, and an unexpected
    /// failure is logged there as an error; Wolverine's own Error line with the stack would repeat it for every refusal.
    /// </summary>
    public static void Configure(HandlerChain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        // A key of the customer this process held, or took to be new, that was not their live one (SubjectKeys.IsStale)
        // is a lost race too: the next attempt reads the key from the table.
        chain.OnException(e => LedgerMarten.IsConflict(e) || SubjectKeys.IsStale(e)).RetryTimes(MaxAttempts - 1);
        chain.FailureLogLevel = Microsoft.Extensions.Logging.LogLevel.Debug;
        // Ahead of the aggregate workflow's frames (its attribute adds them after this hook has run): the command's
        // transaction and the write path's locks come first, so Wolverine loads the order on that transaction's
        // connection, under the lock every writer of the order takes — one connection, and no race to lose to them.
        chain.Middleware.Add(new MethodCall(typeof(OrderCommandHandler), nameof(BeginAsync)));
    }

    /// <summary>Opens the command's transaction with the journal's locks (<see cref="ICommandJournal.BeginAsync"/>) before the order is read.</summary>
    public static Task BeginAsync(DecideOrder message, IDocumentSession session, ICommandJournal journal, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(journal);
        return journal.BeginAsync(session, message.Context, message.StreamId, ct);
    }

    [AggregateHandler]
    public static async Task<OrderDecision> Handle(DecideOrder message, IEventStream<OrderStream> stream, IDocumentSession session,
        MartenEventStore store, ICommandJournal journal, SubjectKeys subjectKeys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(stream);
        var context = message.Context;
        var version = stream.StartingVersion ?? 0;
        if (message.ExpectedVersion is { } expected && expected != version)
            throw new ConcurrencyException(context.TenantId, message.StreamId, ExpectedVersion.Exactly(expected), version);

        var events = OrderDecider.Decide(message.Command, stream.Aggregate?.State ?? OrderDecider.Initial);
        // Nothing to append (a replay): the version is that of the state decided on. The stream's starting version is
        // read apart from its events, so without the write path's lock (a test's bare journal) it can trail them.
        if (events.Length == 0) return new OrderDecision(message.StreamId, stream.Aggregate?.Version ?? version, []);

        var customerKey = await CustomerKeyAsync(events, session, subjectKeys, context, firstAttempt: ++message.Attempts == 1, ct);
        var appended = events.Select(e => store.Build(session, ToAppend(e, customerKey, context))).ToArray();
        stream.AppendMany(appended);
        var after = version + appended.Length;
        await journal.RecordAcceptedAsync(session, context, message.StreamId, [new AuditedStream(message.StreamId, after)], ct);
        return new OrderDecision(message.StreamId, after, appended);
    }

    /// <summary>
    /// The customer's key when the events carry personal data about them, made sure of in the command's transaction, so
    /// the data commits under a key that is there and that no erasure destroys meanwhile: on a first attempt in the
    /// commit itself (no round trip of its own), on a later one by reading the table first.
    /// </summary>
    private static async Task<SubjectKey?> CustomerKeyAsync(OrderEvent[] events, IDocumentSession session, SubjectKeys subjectKeys,
        CommandContext context, bool firstAttempt, CancellationToken ct)
    {
        if (events.OfType<OrderCreated>().FirstOrDefault(c => c.Personal is not null) is not { } created) return null;
        if (firstAttempt && subjectKeys.ForSealingInCommit(session, context.TenantId, created.CustomerId) is { } held) return held;
        await session.BeginTransactionAsync(ct);
        var connection = session.Connection ?? throw new InvalidOperationException("The session has no open connection.");
        return await subjectKeys.ForSealingAsync(connection, context.TenantId, created.CustomerId, ct);
    }

    private static EventToAppend ToAppend(OrderEvent e, SubjectKey? customerKey, CommandContext context)
    {
        var encoded = OrderEventCodec.Encode(e, customerKey);
        return new EventToAppend(
            Guid.CreateVersion7(),
            encoded.EventType,
            encoded.TypeVersion,
            context.Now,
            encoded.Data,
            new EventMetadata(context.CorrelationId, context.CausationId, context.Actor, context.TraceId, context.Origin));
    }
}

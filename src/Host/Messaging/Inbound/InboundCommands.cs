using Ledger.Application;
using Ledger.Application.Audit;
using Ledger.Domain;
using Ledger.EventStore;
using Ledger.EventStore.MartenStore;
using Ledger.EventStore.Privacy;
using Ledger.EventStore.Telemetry;
using Ledger.Host.Configuration;
using Ledger.Host.WritePath;
using Ledger.Messaging.Diagnostics;
using Wolverine;
using Wolverine.Persistence.Durability;
using Wolverine.RDBMS;
using Wolverine.Runtime;

namespace Ledger.Host.Messaging.Inbound;

/// <summary>
/// Runs the command an inbound message carries, in one PostgreSQL transaction that holds the command's events, its
/// audit entry and the mark that Wolverine's durable inbox has handled the message: all three commit, or none does.
/// A redelivery or a recovered copy of a handled message is then either refused by the inbox before it runs, or — if
/// it was already running elsewhere — fails the mark (<see cref="DuplicateIncomingEnvelopeException"/>) and rolls its
/// own work back. So a message is applied once.
/// </summary>
/// <remarks>
/// Why not Wolverine's Marten transactional middleware (the <c>IDocumentSession</c> Wolverine hands a handler, which
/// marks the envelope in its <c>SaveChangesAsync</c>)? That session opens its transaction only when it saves, after
/// the handler returned. Ledger's inbound commands need it open before: the entity's audit stream is locked first (the
/// order every write takes its locks in), before the command reads what it decides on, so no other Ledger writer can
/// move the entity between the read and the commit. So the transaction is Ledger's (<see cref="WriteTransaction"/>, the HTTP write path's), the command's Marten
/// sessions are enlisted in it, the order commands are decided by the same aggregate handler HTTP commands run, and
/// Wolverine marks the envelope in it with its own statement
/// (<see cref="IMessageDatabase.MarkIncomingEnvelopeAsHandledInTransactionAsync"/>, the hook its EF Core integration
/// uses for the same job).
/// <para>
/// A refused command (<see cref="DomainError"/>, <see cref="ValidationError"/>) writes nothing but its audit entry, in
/// a transaction of its own, and goes on to the dead letters with its code (the error policy). If the process dies
/// between the two, the message is handled again after recovery and refused again: two entries for two attempts.
/// </para>
/// </remarks>
public sealed partial class InboundCommands(
    LedgerDataSources db,
    MartenEventStore store,
    SubjectKeys subjectKeys,
    IWolverineRuntime runtime,
    MessagingMetrics metrics,
    ILogger<InboundCommands> logger)
{
    public const string Origin = "rabbitmq";

    /// <summary>The audit action of a message: what arrived, as the exchange routes it.</summary>
    public static string ActionOf(InboundMessage message) => $"CONSUME {message.MessageType}";

    /// <summary>The command's context: the envelope's tenant and correlation, the message id as causation.</summary>
    public static CommandContext ContextOf(InboundMessage message, string actor, TimeProvider clock) =>
        new(message.Envelope.TenantId, actor, clock.GetUtcNow(), message.Envelope.CorrelationId, message.MessageId, message.TraceId, Origin);

    /// <param name="entity">The stream the command is about (its audit stream is locked first, as the write path does).</param>
    public async Task RunAsync(InboundConsumer consumer, Envelope envelope, InboundMessage message, CommandContext context, string entity,
        Func<InboundWork, CancellationToken, Task> command, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(command);
        var client = new AuditClient(null, message.Envelope.Producer);
        // The handling joins the producer's trace (its traceparent), as the command's appends under it do.
        using var span = LedgerTelemetry.StartMessageSpan(LedgerTelemetry.ConsumerHandleSpan, System.Diagnostics.ActivityKind.Consumer,
            envelope.Headers.GetValueOrDefault(InboundHeaders.TraceParent), message.MessageType);
        await using (var tx = await WriteTransaction.BeginAsync(db.App, db.Schema, store, ct))
        {
            await tx.LockAuditStreamAsync(context.TenantId, entity, ct);
            // The entry of an accepted command is staged on its own session, after its events (one save for both).
            var work = new InboundWork(store, subjectKeys, tx.Transaction, context.TenantId, streams => tx.AuditAppend(entity, AuditEventCodec.ToAppend(
                new CommandAuditEntry(ActionOf(message), entity, AuditResult.Success, null, null, streams, client), context)));
            try
            {
                await command(work, ct);
            }
            catch (Exception e) when (e is DomainError or ValidationError)
            {
                await tx.RollbackAsync();
                var code = e is DomainError domain ? domain.Code : ((ValidationError)e).Code;
                envelope.Headers[InboundHeaders.ErrorCode] = code;
                await RecordRefusalAsync(message, context, entity, client, code);
                throw;
            }

            if (!work.Recorded)
            {
                // Accepted without an event (a repeated payment, an invoice already issued): the entry is all it writes.
                var entry = new CommandAuditEntry(ActionOf(message), entity, AuditResult.Success, null, null, null, client);
                await tx.AppendAsync(context.TenantId, [tx.AuditAppend(entity, AuditEventCodec.ToAppend(entry, context))], ct);
            }
            try
            {
                await Inbox.MarkIncomingEnvelopeAsHandledInTransactionAsync(tx.Connection, tx.Transaction, envelope,
                    DateTimeOffset.UtcNow.Add(runtime.Options.Durability.KeepAfterMessageHandling), ct);
            }
            catch (DuplicateIncomingEnvelopeException)
            {
                // Another execution (a node that took this message over) finished it first: ours rolls back unwritten.
                LogHandledElsewhere(logger, consumer.Name, message.MessageId);
                metrics.RecordHandled(consumer.Name, "duplicate");
                return;
            }
            await tx.CommitAsync(ct);
        }
        // Committed with the inbox mark: Wolverine need not mark it again when the handler returns.
        envelope.Status = EnvelopeStatus.Handled;
        metrics.RecordHandled(consumer.Name, "applied");
    }

    private IMessageDatabase Inbox => runtime.Storage as IMessageDatabase
        ?? throw new InvalidOperationException($"Wolverine's message store is a {runtime.Storage.GetType().Name}, not the PostgreSQL inbox Ledger's consumers need.");

    // Never throws: the refusal goes on to the dead letters whether or not its entry could be written (it is logged).
    private async Task RecordRefusalAsync(InboundMessage message, CommandContext context, string entity, AuditClient client, string code)
    {
        try
        {
            var entry = new CommandAuditEntry(ActionOf(message), entity, AuditResult.Failure, null, code, null, client);
            await WriteTransaction.AppendAuditEntryAsync(db.App, db.Schema, store, context.TenantId, entity,
                AuditEventCodec.ToAppend(entry, context), CancellationToken.None);
        }
        catch (Exception e)
        {
            LogRefusalNotRecorded(logger, e, message.MessageId, code);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Consumer {Consumer}: message {MessageId} was handled elsewhere meanwhile; this execution rolled back")]
    private static partial void LogHandledElsewhere(ILogger logger, string consumer, string messageId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit entry of refused message {MessageId} ({Code}) could not be recorded")]
    private static partial void LogRefusalNotRecorded(ILogger logger, Exception exception, string messageId, string code);
}

using System.Runtime.CompilerServices;
using Marten;
using Marten.Services;

namespace Ledger.EventStore.Telemetry;

/// <summary>
/// The append span and metrics (<see cref="LedgerTelemetry.StartAppend(string, int, int)"/>) of every Marten save that
/// appends events — Ledger's own (<c>MartenEventStore</c>) and a Wolverine handler's, committed by its transactional
/// middleware — measured from the save to its commit, in the caller's trace. A save that fails is not counted: Marten
/// calls listeners after a commit only, and the span is dropped unexported.
/// </summary>
public sealed class AppendTelemetryListener : DocumentSessionListenerBase
{
    private static readonly ConditionalWeakTable<IDocumentSession, StrongBox<LedgerTelemetry.AppendScope>> Open = new();

    public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(session);
        var streams = session.PendingChanges.Streams().ToList();
        if (streams.Count > 0 && !Open.TryGetValue(session, out _))
            Open.AddOrUpdate(session, new(LedgerTelemetry.StartAppend(session.TenantId, streams.Count, streams.Sum(s => s.Events.Count))));
        return Task.CompletedTask;
    }

    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (Open.TryGetValue(session, out var scope))
        {
            Open.Remove(session);
            scope.Value.Dispose();
        }
        return Task.CompletedTask;
    }
}

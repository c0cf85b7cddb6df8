using Ledger.Application;
using Ledger.Application.Audit;
using Marten;

namespace Ledger.Host.WritePath;

/// <summary>
/// The command journal of HTTP writes: the request's <see cref="WriteScope"/> stages the key's claim and the audit
/// entry on the command handler's Marten session. A command handler runs inline in the request's async flow
/// (Wolverine's <c>InvokeAsync</c>), so the scope is the ambient one.
/// </summary>
internal sealed class WritePathJournal : ICommandJournal
{
    public Task BeginAsync(IDocumentSession session, CommandContext context, string entity, CancellationToken ct) =>
        Scope().BeginOnSessionAsync(session, entity, ct);

    public Task RecordAcceptedAsync(IDocumentSession session, CommandContext context, string entity, IReadOnlyList<AuditedStream> written,
        CancellationToken ct) =>
        Scope().EnlistAsync(session, entity, written, ct);

    private static WriteScope Scope() => WriteScope.Current
        ?? throw new InvalidOperationException("A command with a journal ran outside a write request: nothing would record its entry.");
}

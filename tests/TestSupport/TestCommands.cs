using Ledger.Application;
using Ledger.Application.Invoicing;
using Marten;

namespace Ledger.TestSupport;

/// <summary>
/// The issuers run as Wolverine's transactional middleware runs <see cref="FiscalCommandHandler"/>: each command on a
/// fresh session of its tenant, journaled by no transport (<see cref="Unjournaled"/>), then saved.
/// </summary>
public sealed class TestInvoiceIssuer(TestDatabase db, InvoiceIssuer issuer)
{
    public Task<DocumentWritten> IssueAsync(CommandContext context, IssueInvoiceRequest request) =>
        TestCommands.RunAsync(db, context, (session, ct) => issuer.IssueAsync(session, Unjournaled.Instance, context, request, ct));
}

/// <inheritdoc cref="TestInvoiceIssuer"/>
public sealed class TestCreditNoteIssuer(TestDatabase db, CreditNoteIssuer issuer)
{
    public Task<DocumentWritten> IssueAsync(CommandContext context, IssueCreditNoteRequest request) =>
        TestCommands.RunAsync(db, context, (session, ct) => issuer.IssueAsync(session, Unjournaled.Instance, context, request, ct));
}

/// <inheritdoc cref="TestInvoiceIssuer"/>
public sealed class TestPaidOrderInvoicing(TestDatabase db, PaidOrderInvoicing invoicing)
{
    public Task<DocumentWritten> IssueForAsync(CommandContext context, Guid orderId) =>
        TestCommands.RunAsync(db, context, (session, ct) => invoicing.IssueForAsync(session, Unjournaled.Instance, context, orderId, ct));
}

public static class TestCommands
{
    /// <summary>A command that stages its writes on a session, run on a session of the context's tenant and saved.</summary>
    public static async Task<T> RunAsync<T>(TestDatabase db, CommandContext context, Func<IDocumentSession, CancellationToken, Task<T>> command)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(command);
        await using var session = db.Documents.LightweightSession(context.TenantId);
        var result = await command(session, CancellationToken.None);
        await session.SaveChangesAsync();
        return result;
    }
}

using Ledger.Application;
using Ledger.Application.Audit;
using Ledger.Application.Orders;
using Ledger.Domain.Orders;
using Ledger.EventStore.Privacy;
using Marten;

namespace Ledger.TestSupport;

/// <summary>
/// Decides order commands as the Host's handlers do — <see cref="OrderDecisions"/> on a Marten session of the tenant,
/// then saved — for tests that need orders as setup or test the decisions themselves. No transport runs: no audit
/// entry is written and nothing retries a lost race (a conflict surfaces as Marten's exception).
/// </summary>
public sealed class TestOrderCommands(TestDatabase db)
{
    public async Task<OrderDecision> DecideAsync(CommandContext context, OrderCommand command, long? expectedVersion = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var message = new DecideOrder(command, context, expectedVersion);
        for (var attempt = 1; ; attempt++)
        {
            await using var session = db.Documents.LightweightSession(context.TenantId);
            try
            {
                var decision = await OrderDecisions.DecideOnAsync(session, message, db.EventStore, db.SubjectKeys, Unjournaled.Instance, CancellationToken.None);
                await session.SaveChangesAsync();
                return decision;
            }
            // As the handler's Wolverine policy does: a customer's key this process held that was no longer theirs is
            // decided again, with the same message, which then reads the key from the table.
            catch (Exception e) when (SubjectKeys.IsStale(e) && attempt < OrderCommandHandler.MaxAttempts)
            {
            }
        }
    }

    public async Task<OrderStream?> LoadAsync(string tenantId, Guid orderId)
    {
        await using var session = db.Documents.QuerySession(tenantId);
        return await OrderDecisions.LoadAsync(session, orderId, CancellationToken.None);
    }
}

/// <summary>The journal of a command no transport carries (a test's): no audit entry, no key.</summary>
public sealed class Unjournaled : ICommandJournal
{
    public static readonly Unjournaled Instance = new();

    public Task BeginAsync(IDocumentSession session, CommandContext context, string entity, CancellationToken ct) => Task.CompletedTask;

    public Task RecordAcceptedAsync(IDocumentSession session, CommandContext context, string entity, IReadOnlyList<AuditedStream> written,
        CancellationToken ct) => Task.CompletedTask;
}

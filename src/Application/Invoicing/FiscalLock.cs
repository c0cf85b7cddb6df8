using Ledger.EventStore.Leases;
using Marten;
using Npgsql;

namespace Ledger.Application.Invoicing;

/// <summary>
/// One fiscal document at a time per tenant: an issue takes the tenant's fiscal lock in its transaction before it reads
/// the numbering series and the VERI*FACTU chain it appends to, and holds it until it commits. Numbers and chain
/// places are then taken in turn, in every process, instead of being raced for and decided again; the expected
/// versions stay, so a writer that took no lock still cannot take a number twice. Taken after the write path's
/// locks (an Idempotency-Key, the document's audit stream), as every lock is taken in one order.
/// </summary>
internal static class FiscalLock
{
    public static async Task TakeAsync(IDocumentSession session, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct).ConfigureAwait(false);
        var connection = session.Connection ?? throw new InvalidOperationException("The session has no open connection.");
        await using var take = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection);
        take.Parameters.Add(new() { Value = Key(session.DocumentStore.Options.Events.DatabaseSchemaName, session.TenantId) });
        await take.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    // Named by the store's schema as well: tests give each database its own schema on one server.
    private static long Key(string schema, string tenantId) =>
        AdvisoryLockKey.For("ledger.fiscal:" + schema + "\n" + tenantId);
}

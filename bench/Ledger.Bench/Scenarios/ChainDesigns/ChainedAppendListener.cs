using Ledger.EventStore.Chain;
using Marten;

namespace Ledger.Bench.Scenarios.ChainDesigns;

/// <summary>
/// Design (a) of issue 13: every event enters its tenant's chain in the append's own transaction. Marten calls this
/// listener after it has prepared the session's events (ids, versions, tenant) and queued its Quick-append operation;
/// for each event the listener hashes the RFC 8785 record in C# and queues one more statement in the same unit of work.
/// That statement takes the tenant's head row (the upsert locks it until commit, which is what serialises a hot
/// tenant's writers), links the entry there (PostgreSQL's own <c>sha256</c> of previous ‖ entry, the only part that
/// needs the head) and inserts the chain row. A failed append rolls its chain row back with it.
/// </summary>
public sealed class ChainedAppendListener(string schema) : DocumentSessionListenerBase
{
    // Marten's connections do not set a search path: the chain tables are named with Marten's schema.
    private readonly string chain = $"""
        WITH head AS (
            INSERT INTO {schema}.ledger_chain_heads AS h (tenant_id, chain_seq, chain_hash) VALUES (?, 1, sha256('\x0000000000000000000000000000000000000000000000000000000000000000'::bytea || ?::bytea))
            ON CONFLICT (tenant_id) DO UPDATE SET chain_seq = h.chain_seq + 1, chain_hash = sha256(h.chain_hash || ?::bytea)
            RETURNING chain_seq, chain_hash)
        INSERT INTO {schema}.ledger_chain (tenant_id, chain_seq, event_id, stream_id, stream_version, occurred_at, entry_hash, chain_hash)
        SELECT ?, chain_seq, ?, ?, ?, ?, ?, chain_hash FROM head
        """;

    public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        foreach (var stream in session.PendingChanges.Streams())
        {
            foreach (var @event in stream.Events)
            {
                var tenant = @event.TenantId ?? session.TenantId;
                var streamId = stream.Key ?? throw new InvalidOperationException("string stream keys expected");
                // The event's own time, as Ledger records occurred_at; Quick append's mt_events.timestamp is the server's.
                var occurredAt = LedgerRecord.TruncateToMicroseconds(DateTimeOffset.UtcNow);
                // The same JSON Marten is about to store (jsonb may reorder it; the canonical form does not care).
                var data = session.DocumentStore.Options.Serializer().ToJson(@event.Data);
                var entryHash = ChainTables.EntryHash(tenant, streamId, @event.Version, @event.Id, @event.EventTypeName, occurredAt,
                    System.Text.Encoding.UTF8.GetBytes(data));
                session.QueueSqlCommand(chain, tenant, entryHash, entryHash, tenant, @event.Id, streamId, @event.Version, occurredAt, entryHash);
            }
        }
        return Task.CompletedTask;
    }
}

using Ledger.EventStore.MartenStore;
using Npgsql;

namespace Ledger.EventStore;

/// <summary>
/// The event store seen from inside a caller's open transaction, so that a command handler's appends commit or
/// roll back together with the caller's other writes — an inbound message's inbox row, for one. The Marten session of
/// each append is enlisted in that transaction. Reads see the transaction's own appends. An append needs explicit
/// expected versions (<see cref="ExpectedVersion.Any"/> is refused: "whatever the version is" cannot be re-read and
/// retried inside someone else's transaction).
/// </summary>
public sealed class TransactionalEventStore(MartenEventStore store, NpgsqlTransaction transaction) : IEventStore
{
    private const string Savepoint = "ledger_append";

    /// <exception cref="ConcurrencyException">an expected version did not hold; the caller's transaction stays usable.</exception>
    public async Task<AppendResult> AppendAsync(string tenantId, IReadOnlyList<StreamAppend> streams, CancellationToken ct = default)
    {
        // A refused append raises an error, which in PostgreSQL aborts the whole transaction. Behind a savepoint
        // only the append is undone, so a handler can re-read and decide again (InvoiceIssuer does, on a conflict).
        await transaction.SaveAsync(Savepoint, ct).ConfigureAwait(false);
        try
        {
            var result = await store.AppendAsync(transaction, tenantId, streams, ct).ConfigureAwait(false);
            await transaction.ReleaseAsync(Savepoint, ct).ConfigureAwait(false);
            return result;
        }
        catch (Exception e) when (e is ConcurrencyException or PostgresException or ArgumentException)
        {
            await transaction.RollbackAsync(Savepoint, ct).ConfigureAwait(false);
            throw;
        }
    }

    public Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(string tenantId, string streamId, long fromVersion = 1, CancellationToken ct = default) =>
        store.ReadStreamAsync(transaction, tenantId, streamId, fromVersion, ct);

    /// <summary>Not inside a transaction: the store-wide order is for readers that follow the sealed ledger.</summary>
    public Task<IReadOnlyList<RecordedEvent>> ReadAllAsync(GlobalPosition after, int max, CancellationToken ct = default) =>
        throw new NotSupportedException("ReadAll follows the sealed ledger; it has no meaning inside an open transaction.");
}

using Ledger.EventStore.Chain;
using Npgsql;

namespace Ledger.TestSupport;

/// <summary>
/// What a PostgreSQL superuser can do to a chain: switch the append-only triggers off for one transaction and edit
/// the rows. The tamper tests of the store and of the Host's auditor API share these forgeries.
/// </summary>
public static class ChainForgery
{
    /// <summary>Runs <paramref name="sql"/> as the owner with the triggers off; it must change at least one row.</summary>
    public static async Task TamperAsync(this TestDatabase db, string sql, params object[] parameters)
    {
        ArgumentNullException.ThrowIfNull(db);
        await using var connection = await db.AdminDataSource.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await using (var off = new NpgsqlCommand("SET LOCAL session_replication_role = replica", connection, tx))
            await off.ExecuteNonQueryAsync();
        await using (var edit = new NpgsqlCommand(sql, connection, tx))
        {
            foreach (var p in parameters) edit.Parameters.Add(new() { Value = p });
            if (await edit.ExecuteNonQueryAsync() == 0) throw new InvalidOperationException($"The forgery changed nothing: {sql}");
        }
        await tx.CommitAsync();
    }

    /// <summary>
    /// The forger's best: edits the entry at <paramref name="position"/> and recomputes every hash after it and the
    /// head, so the chain is consistent again; only a checkpoint signed before can tell.
    /// </summary>
    public static async Task RewriteFromAsync(this TestDatabase db, string tenant, long position)
    {
        await db.TamperAsync("UPDATE events SET data = jsonb_set(data, '{value}', '\"rewritten\"') WHERE tenant_id = $1 AND chain_seq = $2", tenant, position);
        var reader = new ChainEntryReader(db.AdminDataSource);
        var previous = (await reader.ChainHashAtAsync(tenant, position - 1))!;
        foreach (var entry in await reader.ReadAsync(tenant, position, null, 1000))
        {
            var entryHash = System.Security.Cryptography.SHA256.HashData(entry.Record);
            previous = LedgerRecord.Link(previous, entryHash);
            await db.TamperAsync("UPDATE events SET entry_hash = $3, chain_hash = $4 WHERE tenant_id = $1 AND chain_seq = $2",
                tenant, entry.ChainSeq, entryHash, previous);
        }
        await db.TamperAsync("UPDATE chain_heads SET chain_hash = $2 WHERE tenant_id = $1", tenant, previous);
    }
}

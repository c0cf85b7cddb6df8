using Ledger.EventStore.Chain;
using Npgsql;

namespace Ledger.TestSupport;

/// <summary>
/// What a PostgreSQL superuser can do to a chain: switch the append-only triggers off and edit the rows of Marten's
/// events and of the chain. The tamper tests of the store and of the Host's auditor API share these forgeries.
/// </summary>
public static partial class ChainForgery
{
    [System.Text.RegularExpressions.GeneratedRegex(@"\b(events|chain_heads)\b")]
    private static partial System.Text.RegularExpressions.Regex LedgerRows();

    /// <summary>
    /// Runs <paramref name="sql"/> as the owner with the triggers off; it must change at least one row. The forgery may
    /// name <c>events</c> (the ledger's rows: Marten's event with its chain entry, columns as <c>ledger_events</c>) and
    /// <c>chain_heads</c>: for this transaction they are temporary views whose edits land in Marten's <c>mt_events</c>
    /// and in <c>ledger_chain</c> / <c>ledger_chain_heads</c>, as a forger editing those tables would.
    /// </summary>
    public static async Task TamperAsync(this TestDatabase db, string sql, params object[] parameters)
    {
        ArgumentNullException.ThrowIfNull(db);
        await using var connection = await db.AdminDataSource.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        // An edit of the ledger's rows goes through the views (whose trigger switches the append-only triggers off for
        // its own writes: in replica mode the view's trigger would not fire); any other (checkpoints, keys) runs with
        // the triggers off for the whole transaction.
        var ledgerRows = LedgerRows().IsMatch(sql);
        await using (var setup = new NpgsqlCommand(ledgerRows ? ForgeryViews : "SET LOCAL session_replication_role = replica", connection, tx))
            await setup.ExecuteNonQueryAsync();
        await using (var edit = new NpgsqlCommand(sql, connection, tx))
        {
            foreach (var p in parameters) edit.Parameters.Add(new() { Value = p });
            if (await edit.ExecuteNonQueryAsync() == 0) throw new InvalidOperationException($"The forgery changed nothing: {sql}");
        }
        if (ledgerRows)
            await using (var drop = new NpgsqlCommand("DROP VIEW pg_temp.events; DROP VIEW pg_temp.chain_heads; DROP FUNCTION pg_temp.forge_event()", connection, tx))
                await drop.ExecuteNonQueryAsync();
        await tx.CommitAsync();
    }

    // The edit of a row of the temporary "events" view, written to the tables it comes from. The append-only triggers
    // are switched off (session_replication_role, superuser only) just for those writes, and on again for the next
    // statement, which could not reach this trigger otherwise.
    private const string ForgeryViews = """
        CREATE TEMP VIEW events AS SELECT * FROM ledger_events;
        CREATE TEMP VIEW chain_heads AS SELECT * FROM ledger_chain_heads;
        CREATE FUNCTION pg_temp.forge_event() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM set_config('session_replication_role', 'replica', true);
            IF TG_OP = 'DELETE' THEN
                DELETE FROM ledger_chain WHERE seq_id = OLD.seq;
                DELETE FROM mt_events WHERE seq_id = OLD.seq;
            ELSE
                UPDATE mt_events SET data = NEW.data, "timestamp" = NEW.occurred_at,
                       correlation_id = NEW.metadata ->> 'correlation_id', causation_id = NEW.metadata ->> 'causation_id',
                       headers = coalesce(headers, '{}') || (NEW.metadata - 'correlation_id' - 'causation_id')
                 WHERE seq_id = OLD.seq
                   AND (NEW.data, NEW.occurred_at, NEW.metadata) IS DISTINCT FROM (OLD.data, OLD.occurred_at, OLD.metadata);
                UPDATE ledger_chain SET chain_seq = NEW.chain_seq, entry_hash = NEW.entry_hash, chain_hash = NEW.chain_hash
                 WHERE seq_id = OLD.seq
                   AND (NEW.chain_seq, NEW.entry_hash, NEW.chain_hash) IS DISTINCT FROM (OLD.chain_seq, OLD.entry_hash, OLD.chain_hash);
            END IF;
            PERFORM set_config('session_replication_role', 'origin', true);
            RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
        END $$;
        CREATE TRIGGER forge INSTEAD OF UPDATE OR DELETE ON pg_temp.events FOR EACH ROW EXECUTE FUNCTION pg_temp.forge_event();
        """;

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

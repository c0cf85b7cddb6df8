using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Merkle;
using Ledger.EventStore.Witnesses;
using Npgsql;

namespace Ledger.Messaging.Witnesses;

/// <summary>
/// Makes a stored checkpoint ready for witnesses: its tree (size and root) and its signed note. A note is made the
/// first time a checkpoint is published, signed with the key that signed its JWS, and stored (<c>checkpoint_notes</c>):
/// an ECDSA signature differs each time, and a witness must be handed the same bytes every time. A process that no
/// longer holds that key (it was rotated before the checkpoint was first published) publishes the checkpoint without a
/// note rather than sign it with another key.
/// </summary>
/// <param name="keyName">The note's key name and origin prefix (<c>Ledger:Checkpoints:Origin</c>).</param>
/// <param name="currentKey">The checkpoint key this process holds, if any.</param>
public sealed class CheckpointNotes(NpgsqlDataSource dataSource, string keyName, Func<CheckpointKey?> currentKey)
{
    private readonly LedgerTreeReader trees = new(dataSource);

    public string KeyName => keyName;

    /// <summary>The verifier key string of the key held now (docs/ledger-format.md §14), for configuring a tlog-witness; null without a key.</summary>
    public string? VerifierKey() => currentKey() is { } key ? CheckpointNote.VerifierKey(keyName, key.X, key.Y) : null;

    /// <summary>The tenant's note at a position, once made (the first time the checkpoint was offered to the witnesses).</summary>
    public async Task<string?> StoredAsync(string tenantId, long chainSeq, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT note FROM checkpoint_notes WHERE tenant_id = $1 AND chain_seq = $2");
        command.Parameters.Add(new() { Value = tenantId });
        command.Parameters.Add(new() { Value = chainSeq });
        return (string?)await command.ExecuteScalarAsync(ct);
    }

    public async Task<WitnessedCheckpoint> PrepareAsync(SignedCheckpoint signed, string? storedNote, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(signed);
        var (size, root) = await TreeAsync(signed, ct);
        var note = storedNote ?? await MakeNoteAsync(signed, size, root, ct);
        return new WitnessedCheckpoint(signed, size, root, note);
    }

    /// <summary>
    /// The tree the checkpoint covers. A format-1 checkpoint signs no root, so it is computed from the chain (the tree of
    /// chain_seq leaves); a checkpoint that signs its root (format 2) is taken at its word.
    /// </summary>
    private async Task<(long Size, byte[] Root)> TreeAsync(SignedCheckpoint signed, CancellationToken ct)
    {
        var c = signed.Checkpoint;
        return (c.ChainSeq, c.TreeRoot ?? await trees.RootAsync(c.TenantId, c.ChainSeq, ct));
    }

    private async Task<string?> MakeNoteAsync(SignedCheckpoint signed, long size, byte[] root, CancellationToken ct)
    {
        if (currentKey() is not { } key || key.Kid != signed.Kid) return null;
        var c = signed.Checkpoint;
        var note = CheckpointNote.Sign(new CheckpointNoteBody(CheckpointNote.Origin(keyName, c.TenantId), size, root, c.ChainHash, c.IssuedAt), keyName, key);
        // Whoever stored one first wins; everyone publishes that one.
        await using var command = dataSource.CreateCommand("""
            WITH added AS (INSERT INTO checkpoint_notes (tenant_id, chain_seq, note) VALUES ($1, $2, $3)
                           ON CONFLICT (tenant_id, chain_seq) DO NOTHING RETURNING note)
            SELECT note FROM added UNION ALL SELECT note FROM checkpoint_notes WHERE tenant_id = $1 AND chain_seq = $2
            """);
        command.Parameters.Add(new() { Value = c.TenantId });
        command.Parameters.Add(new() { Value = c.ChainSeq });
        command.Parameters.Add(new() { Value = note });
        if (await command.ExecuteScalarAsync(ct) is string stored) return stored;
        // Another publisher stored one while this statement ran (its snapshot predates that row): read it now.
        await using var again = dataSource.CreateCommand("SELECT note FROM checkpoint_notes WHERE tenant_id = $1 AND chain_seq = $2");
        again.Parameters.Add(new() { Value = c.TenantId });
        again.Parameters.Add(new() { Value = c.ChainSeq });
        return (string?)await again.ExecuteScalarAsync(ct);
    }
}

using Npgsql;

namespace Ledger.EventStore.Checkpoints;

/// <summary>
/// Signed checkpoints as stored (table <c>checkpoints</c>, append-only, one per tenant and position). The columns
/// beside the JWS index it for queries; verifiers trust only the JWS, checked against the key history.
/// </summary>
public sealed class CheckpointStore(NpgsqlDataSource dataSource)
{
    private const string Columns = "tenant_id, chain_seq, chain_hash, issued_at, kid, jws, tree_root";

    /// <summary>Stores a checkpoint; false when one already exists at that position (another signer got there first).</summary>
    public async Task<bool> AddAsync(SignedCheckpoint signed, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(signed);
        var c = signed.Checkpoint;
        await using var command = dataSource.CreateCommand($"""
            INSERT INTO checkpoints ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (tenant_id, chain_seq) DO NOTHING
            """);
        command.Parameters.Add(new() { Value = c.TenantId });
        command.Parameters.Add(new() { Value = c.ChainSeq });
        command.Parameters.Add(new() { Value = c.ChainHash });
        command.Parameters.Add(new() { Value = c.IssuedAt });
        command.Parameters.Add(new() { Value = signed.Kid });
        command.Parameters.Add(new() { Value = signed.Jws });
        command.Parameters.Add(new() { Value = (object?)c.TreeRoot ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea });
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    public async Task<SignedCheckpoint?> LatestAsync(string tenantId, CancellationToken ct = default) =>
        (await Query($"SELECT {Columns} FROM checkpoints WHERE tenant_id = $1 ORDER BY chain_seq DESC LIMIT 1", ct, tenantId)).FirstOrDefault();

    /// <summary>
    /// The latest checkpoint whose key still vouches for it: not signed at or after its key's revocation. A signer
    /// re-verifies from there, since the ones after it no longer count.
    /// </summary>
    public async Task<SignedCheckpoint?> LatestStandingAsync(string tenantId, CancellationToken ct = default) =>
        (await Query($"""
            SELECT {Columns} FROM checkpoints c
             WHERE tenant_id = $1
               AND NOT EXISTS (SELECT 1 FROM signing_key_revocations r WHERE r.kid = c.kid AND c.issued_at >= r.revoked_at)
             ORDER BY chain_seq DESC LIMIT 1
            """, ct, tenantId)).FirstOrDefault();

    public async Task<SignedCheckpoint?> AtAsync(string tenantId, long chainSeq, CancellationToken ct = default) =>
        (await Query($"SELECT {Columns} FROM checkpoints WHERE tenant_id = $1 AND chain_seq = $2", ct, tenantId, chainSeq)).FirstOrDefault();

    /// <summary>Up to <paramref name="limit"/> checkpoints with positions in [<paramref name="fromSeq"/>, <paramref name="toSeq"/>], ascending.</summary>
    public Task<IReadOnlyList<SignedCheckpoint>> RangeAsync(string tenantId, long fromSeq, long toSeq, int limit, CancellationToken ct = default) =>
        Query($"SELECT {Columns} FROM checkpoints WHERE tenant_id = $1 AND chain_seq BETWEEN $2 AND $3 ORDER BY chain_seq LIMIT $4",
            ct, tenantId, fromSeq, toSeq, limit);

    /// <summary>Every checkpoint with a position in the range, page by page.</summary>
    public async IAsyncEnumerable<SignedCheckpoint> AllInRangeAsync(
        string tenantId, long fromSeq, long toSeq, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        const int page = 1000;
        for (var next = fromSeq; next <= toSeq;)
        {
            var batch = await RangeAsync(tenantId, next, toSeq, page, ct);
            foreach (var checkpoint in batch) yield return checkpoint;
            if (batch.Count < page) yield break;
            next = batch[^1].Checkpoint.ChainSeq + 1;
        }
    }

    private async Task<IReadOnlyList<SignedCheckpoint>> Query(string sql, CancellationToken ct, params object[] parameters)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var p in parameters) command.Parameters.Add(new() { Value = p });
        var rows = new List<SignedCheckpoint>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            rows.Add(new SignedCheckpoint(
                new Checkpoint(r.GetString(0), r.GetInt64(1), r.GetFieldValue<byte[]>(2), r.GetFieldValue<DateTimeOffset>(3),
                    r.IsDBNull(6) ? null : r.GetFieldValue<byte[]>(6)),
                r.GetString(4), r.GetString(5)));
        return rows;
    }
}

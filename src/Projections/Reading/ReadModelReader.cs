using System.Data;
using Ledger.EventStore;
using Ledger.Projections.OnMarten;
using Npgsql;

namespace Ledger.Projections.Reading;

/// <summary>
/// Runs one report query for one tenant the way every read must: in a read-only REPEATABLE READ transaction that first
/// locks the read model's views (shared), then sets <c>ledger.tenant</c> (row-level security then admits only that
/// tenant's rows) and reads the projection's position and the rows from one snapshot. The projection commits its rows
/// with its position, so the position never runs ahead of the rows. The lock comes before the snapshot: a rebuild's
/// swap repoints the views under an exclusive lock, so a read sees the old generation with a snapshot from before the
/// swap, or the new one with a snapshot from after it, never the new tables through an older snapshot. One round trip.
/// </summary>
public sealed class ReadModelReader(NpgsqlDataSource db)
{
    public async Task<(GlobalPosition Position, IReadOnlyList<T> Rows)> ReadAsync<T>(
        string tenantId, string projection, string sql, IReadOnlyList<object?> parameters,
        Func<NpgsqlDataReader, T> map, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(map);
        var model = LedgerProjections.Find(projection) ?? throw new ArgumentException($"'{projection}' is not a read model.", nameof(projection));
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand($"LOCK TABLE {string.Join(", ", model.Tables)} IN ACCESS SHARE MODE"),
                new NpgsqlBatchCommand("SELECT set_config('transaction_read_only', 'on', true), set_config('ledger.tenant', $1, true)")
                {
                    Parameters = { new() { Value = tenantId } },
                },
                new NpgsqlBatchCommand(ProjectionPositions.PositionSql) { Parameters = { new() { Value = ProjectionShards.Live(projection) } } },
            },
        };
        var query = new NpgsqlBatchCommand(sql);
        foreach (var value in parameters) query.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        batch.BatchCommands.Add(query);

        var position = GlobalPosition.Start;
        var rows = new List<T>();
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            // The lock returns no result set (Npgsql passes over it): the first is the settings'.
            await reader.NextResultAsync(ct); // from the settings to the position
            if (await reader.ReadAsync(ct)) position = new GlobalPosition(reader.GetInt64(0));
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct)) rows.Add(map(reader));
        }
        await transaction.CommitAsync(ct);
        return (position, rows);
    }
}

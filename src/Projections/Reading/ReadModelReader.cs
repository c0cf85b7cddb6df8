using System.Data;
using Ledger.EventStore;
using Ledger.Projections.Daemon;
using Npgsql;

namespace Ledger.Projections.Reading;

/// <summary>
/// Runs one report query for one tenant the way every read must: in a read-only REPEATABLE READ transaction that sets
/// <c>ledger.tenant</c> (row-level security then admits only that tenant's rows) and reads the projection's position
/// first, so the position and the rows come from one snapshot, and the position view is locked before the data views,
/// in the order a swap replaces them. One round trip.
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
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SELECT set_config('transaction_read_only', 'on', true), set_config('ledger.tenant', $1, true)")
                {
                    Parameters = { new() { Value = tenantId } },
                },
                new NpgsqlBatchCommand($"SELECT seq FROM {ProjectionPositions.PositionView(projection)}"),
            },
        };
        var query = new NpgsqlBatchCommand(sql);
        foreach (var value in parameters) query.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        batch.BatchCommands.Add(query);

        var position = GlobalPosition.Start;
        var rows = new List<T>();
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            await reader.NextResultAsync(ct); // from the settings to the position
            if (await reader.ReadAsync(ct)) position = new GlobalPosition(reader.GetInt64(0));
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct)) rows.Add(map(reader));
        }
        await transaction.CommitAsync(ct);
        return (position, rows);
    }
}

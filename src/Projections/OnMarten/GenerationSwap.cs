using Ledger.EventStore;
using Marten;
using Npgsql;

namespace Ledger.Projections.OnMarten;

/// <summary>
/// Makes a built generation live in one transaction of the owner's connection: lock the live projection's progress
/// row (Marten's page in flight finishes first; the next waits, since updating that row is its first statement),
/// catch the new generation up to the live position inside this transaction, and point the views at it. Readers lock
/// the views before their snapshot (<see cref="Reading.ReadModelReader"/>), so a read sees the old generation or the
/// new, complete one, and never a position ahead of its rows. The live projection, which writes through the views,
/// goes on into the new generation from where it was.
/// </summary>
internal static class GenerationSwap
{
    /// <summary>Swaps, or returns false (nothing changed) when an event failed during the catch-up.</summary>
    public static async Task<bool> SwapAsync(NpgsqlDataSource admin, IDocumentStore store, ReadModelProjection building, CancellationToken ct)
    {
        var name = building.Model.Name;
        var generation = building.Generation ?? throw new ArgumentException("The live projection has no generation to swap in.", nameof(building));
        await using var connection = await admin.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);

        var live = await PositionAsync(connection, transaction, ProjectionShards.Live(name), forUpdate: true, ct);
        var built = await PositionAsync(connection, transaction, building.ShardName, forUpdate: false, ct);
        try
        {
            while (built < live)
            {
                var events = await ProjectionEvents.ReadAsync(store, built, live, 1000, ct);
                if (events.Count == 0) break;
                await ProjectionEvents.ApplyAsync(building, events, connection, transaction, ct);
                built = events[^1].Sequence;
            }
        }
        catch (Exception e) when (e is PostgresException or ReadModelApplyException)
        {
            return false; // rolled back; the building projection meets the event again and the supervisor records it
        }

        await using (var point = new NpgsqlCommand("SELECT projection_point_views($1, $2)", connection, transaction))
        {
            point.Parameters.Add(new() { Value = name });
            point.Parameters.Add(new() { Value = generation });
            await point.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
        return true;
    }

    private static async Task<long> PositionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string shard, bool forUpdate, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "SELECT last_seq_id FROM mt_event_progression WHERE name = $1" + (forUpdate ? " FOR UPDATE" : ""), connection, transaction);
        command.Parameters.Add(new() { Value = shard });
        return await command.ExecuteScalarAsync(ct) is long seq ? seq : 0;
    }
}

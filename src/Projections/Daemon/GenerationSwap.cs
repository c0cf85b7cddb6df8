using Ledger.EventStore;
using Npgsql;

namespace Ledger.Projections.Daemon;

/// <summary>
/// Makes a caught-up generation live in one transaction of the owner's connection: lock the live generation's
/// checkpoint row (a live batch in flight finishes first; the next one waits and then finds its generation
/// retired), bring the new generation up to at least the live one's position inside this transaction, point the
/// views at it and retire the old one. A reader sees either the old generation or the new, complete one, each with
/// its own position, and never a position ahead of the rows it reads.
/// </summary>
internal static class GenerationSwap
{
    /// <summary>Swaps, or returns false (nothing changed) when an event failed during the last catch-up.</summary>
    public static async Task<bool> SwapAsync(NpgsqlDataSource admin, ProjectionRunner building, int live, CancellationToken ct)
    {
        try
        {
            if (await SwapWithinAsync(admin, building, live, ct)) return true;
        }
        catch
        {
            building.Forget();
            throw;
        }
        building.Forget(); // what it applied in the rolled-back transaction is gone
        return false;
    }

    private static async Task<bool> SwapWithinAsync(NpgsqlDataSource admin, ProjectionRunner building, int live, CancellationToken ct)
    {
        var name = building.Projection.Name;
        var generation = building.Checkpoint?.Generation ?? throw new InvalidOperationException("The rebuild has not started.");
        await using var connection = await admin.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);

        GlobalPosition livePosition;
        await using (var lockLive = new NpgsqlCommand(
            "SELECT seq FROM projection_checkpoints WHERE name = $1 AND generation = $2 FOR UPDATE", connection, transaction))
        {
            lockLive.Parameters.Add(new() { Value = name });
            lockLive.Parameters.Add(new() { Value = live });
            await using var reader = await lockLive.ExecuteReaderAsync(ct);
            livePosition = await reader.ReadAsync(ct) ? new GlobalPosition(reader.GetInt64(0)) : GlobalPosition.Start;
        }

        while (building.Checkpoint!.Position < livePosition)
        {
            var before = building.Checkpoint.Position;
            if (!await building.ApplyWithinAsync(connection, transaction, ct)) return false;
            if (building.Checkpoint.Position == before)
                throw new InvalidOperationException($"Generation {generation} of '{name}' cannot reach the live position {livePosition}.");
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
}

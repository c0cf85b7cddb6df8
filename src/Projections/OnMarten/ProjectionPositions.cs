using Ledger.EventStore;
using Npgsql;

namespace Ledger.Projections.OnMarten;

/// <summary>
/// How far each read model's live projection has applied: its shard's progress in Marten's <c>mt_event_progression</c>,
/// committed with the rows it wrote. What "fresh as of" a read reports, and what read-your-writes waits for.
/// </summary>
public sealed class ProjectionPositions(NpgsqlDataSource db)
{
    public async Task<GlobalPosition> CurrentAsync(string projection, CancellationToken ct = default)
    {
        await using var command = db.CreateCommand(PositionSql);
        command.Parameters.Add(new() { Value = ProjectionShards.Live(projection) });
        var seq = await command.ExecuteScalarAsync(ct);
        return seq is long s ? new GlobalPosition(s) : GlobalPosition.Start;
    }

    /// <summary>Waits until the projection has applied <paramref name="position"/>; false if it has not within the timeout.</summary>
    public async Task<bool> WaitForAsync(string projection, GlobalPosition position, TimeSpan timeout, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        var delay = TimeSpan.FromMilliseconds(5);
        while (true)
        {
            if (await CurrentAsync(projection, ct) >= position) return true;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return false;
            await Task.Delay(left < delay ? left : delay, ct);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 50));
        }
    }

    /// <summary>The live position of the shard named by parameter <c>$1</c> (none yet: 0).</summary>
    internal const string PositionSql = "SELECT coalesce((SELECT last_seq_id FROM mt_event_progression WHERE name = $1), 0)";
}

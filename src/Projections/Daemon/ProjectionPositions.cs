using System.Text.RegularExpressions;
using Ledger.EventStore;
using Npgsql;

namespace Ledger.Projections.Daemon;

/// <summary>
/// How far each read model's live generation has applied, through its position view: what "fresh as of" a read
/// reports, and what read-your-writes waits for.
/// </summary>
public sealed partial class ProjectionPositions(NpgsqlDataSource db)
{
    public async Task<GlobalPosition> CurrentAsync(string projection, CancellationToken ct = default)
    {
        await using var command = db.CreateCommand($"SELECT seq FROM {PositionView(projection)}");
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new GlobalPosition(reader.GetInt64(0)) : GlobalPosition.Start;
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
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 100));
        }
    }

    /// <summary>The view that shows a projection's live position; the name is checked because it is part of SQL text.</summary>
    public static string PositionView(string projection) =>
        ProjectionName().IsMatch(projection ?? "") ? projection + "_position" : throw new ArgumentException($"'{projection}' is not a projection name.", nameof(projection));

    [GeneratedRegex("^[a-z][a-z0-9_]{0,40}$")]
    private static partial Regex ProjectionName();
}

using Npgsql;

namespace Ledger.Projections.OnMarten;

/// <summary>
/// The events an operator told one read model to pass over (<c>projection_skips</c>, see <see cref="ProjectionSkips"/>),
/// read once and again whenever the projection is restarted after it stopped (<see cref="ReloadAsync"/>): a skip is
/// only ever recorded for the event a stopped projection is waiting on, so a running one has nothing new to learn.
/// </summary>
public sealed class ProjectionSkipList(NpgsqlDataSource db, string projection)
{
    private IReadOnlySet<Guid>? _current;

    public async ValueTask<IReadOnlySet<Guid>> CurrentAsync(CancellationToken ct) => _current ?? await ReloadAsync(ct);

    public async Task<IReadOnlySet<Guid>> ReloadAsync(CancellationToken ct)
    {
        await using var command = db.CreateCommand("SELECT event_id FROM projection_skips WHERE name = $1");
        command.Parameters.Add(new() { Value = projection });
        var skipped = new HashSet<Guid>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) skipped.Add(reader.GetGuid(0));
        _current = skipped;
        return skipped;
    }
}

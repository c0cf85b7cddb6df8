using Ledger.EventStore;

namespace Ledger.Projections.Daemon;

/// <summary>How a runner reads: the next batch while the current one is applied, and whether an empty read is blocked.</summary>
public sealed partial class ProjectionRunner
{
    // During a catch-up the next batch is read while the current one is applied: reading (and parsing) costs about
    // as much as applying, and the two overlap. A read from any position is valid, so a prefetch from where the
    // checkpoint ends up is used, and any other is dropped.
    private (GlobalPosition From, Task<IReadOnlyList<RecordedEvent>> Read)? _prefetch;

    /// <summary>Are there committed events after <paramref name="position"/>, readable or not?</summary>
    private async Task<bool> CommittedAfterAsync(GlobalPosition position, CancellationToken ct)
    {
        // Marten's table, not the ledger: an event stored but not sealed yet is coming.
        await using var command = db.CreateCommand("SELECT EXISTS (SELECT 1 FROM mt_events WHERE seq_id > $1)");
        command.Parameters.Add(new() { Value = position.Seq });
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    private Task<IReadOnlyList<RecordedEvent>> ReadAsync(GlobalPosition from, CancellationToken ct)
    {
        var prefetched = _prefetch;
        _prefetch = null;
        var read = prefetched is { } p && p.From == from ? p.Read : store.ReadAllAsync(from, options.BatchSize, ct);
        if (prefetched is { } dropped && dropped.Read != read)
            _ = dropped.Read.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return ReadAndPrefetchAsync(read, ct);
    }

    private async Task<IReadOnlyList<RecordedEvent>> ReadAndPrefetchAsync(Task<IReadOnlyList<RecordedEvent>> read, CancellationToken ct)
    {
        var events = await read;
        if (events.Count == options.BatchSize)
            _prefetch = (events[^1].Position, store.ReadAllAsync(events[^1].Position, options.BatchSize, ct));
        return events;
    }
}

using Ledger.EventStore;

namespace Ledger.Messaging.Relay;

/// <summary>
/// Writes the relay's checkpoint one batch behind its publishing: the write for a confirmed batch runs while the next
/// batch is published instead of holding it up (a commit waits for the WAL flush, which on a busy machine costs up to a
/// tenth of a batch). Writes go one at a time, in order, each for the end of a batch the broker confirmed, so the stored
/// checkpoint never passes an unconfirmed message. A crash loses at most the write under way, and the next relay
/// publishes that batch again (at-least-once, as when a crash falls between confirms and checkpoint).
/// </summary>
internal sealed class CheckpointTrail(RelayCheckpoints checkpoints, string relay, GlobalPosition stored) : IAsyncDisposable
{
    private Task<GlobalPosition>? writing;
    private GlobalPosition confirmed = stored;

    /// <summary>The checkpoint as this relay last wrote it (writes under way not counted).</summary>
    public GlobalPosition Stored { get; private set; } = stored;

    /// <summary>
    /// Records that everything up to <paramref name="to"/> is confirmed and starts writing it, once the write before has
    /// completed. That earlier write's failure is thrown here; the position stays owed and is written by the next call.
    /// </summary>
    public async Task MoveToAsync(GlobalPosition to, CancellationToken ct)
    {
        confirmed = to;
        await FlushAsync().ConfigureAwait(false);
        writing = WriteAsync(to, ct);
    }

    /// <summary>Completes every write owed, so <see cref="Stored"/> is the last confirmed position (before the relay idles).</summary>
    public async Task SettleAsync(CancellationToken ct)
    {
        await FlushAsync().ConfigureAwait(false);
        if (Stored >= confirmed) return;
        writing = WriteAsync(confirmed, ct);
        await FlushAsync().ConfigureAwait(false);
    }

    private async Task FlushAsync()
    {
        if (writing is not { } pending) return;
        writing = null;
        Stored = await pending.ConfigureAwait(false);
    }

    private async Task<GlobalPosition> WriteAsync(GlobalPosition to, CancellationToken ct)
    {
        await checkpoints.AdvanceAsync(relay, to, ct).ConfigureAwait(false);
        return to;
    }

    /// <summary>Lets a write under way finish or fail quietly when the relay stops holding the lease (the next holder re-publishes what it missed).</summary>
    public async ValueTask DisposeAsync()
    {
        if (writing is not { } pending) return;
        writing = null;
        await ((Task)pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _ = pending.Exception;
    }
}

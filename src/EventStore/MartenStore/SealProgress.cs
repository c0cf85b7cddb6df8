using Npgsql;

namespace Ledger.EventStore.MartenStore;

/// <summary>
/// How far the ledger is sealed (<c>sealed_through</c>): every event with a <c>seq_id</c> at or below it has its chain
/// entry. Told by the sealer in this process after each page commits; read from the sealer's progress in
/// <c>mt_event_progression</c> when the sealer runs elsewhere. Readers wait on it for a position (read-your-writes).
/// </summary>
public sealed class SealProgress(NpgsqlDataSource reads)
{
    private readonly Lock _gate = new();
    private long _sealedThrough;
    private TaskCompletionSource _moved = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>What this process last saw: the sealer's own report or a read of its progress.</summary>
    public long Known => Volatile.Read(ref _sealedThrough);

    /// <summary>The sealer's callback: every event through <paramref name="ceiling"/> is sealed.</summary>
    public void Sealed(long ceiling)
    {
        TaskCompletionSource moved;
        lock (_gate)
        {
            if (ceiling <= _sealedThrough) return;
            _sealedThrough = ceiling;
            moved = _moved;
            _moved = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        moved.TrySetResult();
    }

    /// <summary>The sealer's committed progress, wherever it runs.</summary>
    public async Task<long> ReadAsync(CancellationToken ct = default)
    {
        await using var command = reads.CreateCommand(
            "SELECT coalesce(max(last_seq_id), 0) FROM mt_event_progression WHERE name LIKE $1");
        command.Parameters.Add(new() { Value = ChainSealer.SubscriptionName + ":%" });
        var through = (long)(await command.ExecuteScalarAsync(ct))!;
        Sealed(through);
        return through;
    }

    /// <summary>Waits until <paramref name="seq"/> is sealed; false when <paramref name="timeout"/> passes first.</summary>
    public async Task<bool> WaitForAsync(long seq, TimeSpan timeout, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Task moved;
            lock (_gate) moved = _moved.Task;
            if (Known >= seq || await ReadAsync(ct) >= seq) return true;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return false;
            // Woken by this process's sealer at once; a sealer elsewhere is looked for again every 50 ms.
            await Task.WhenAny(moved, Task.Delay(left < TimeSpan.FromMilliseconds(50) ? left : TimeSpan.FromMilliseconds(50), ct));
        }
    }
}

namespace Ledger.EventStore.Notifications;

/// <summary>
/// "Events may have been appended": a pulse that wakes every reader waiting in this process. A reader takes
/// <see cref="Next"/> before it reads, so an append that lands between its read and its wait still wakes it.
/// Pulses coalesce; a reader always re-reads the store and never trusts a pulse to mean there is something new.
/// </summary>
/// <remarks>
/// <see cref="Pulse"/> says this process committed appends (the store's own appends, a request transaction's), and
/// is what <see cref="AppendNotifier"/> passes on to other processes; <see cref="PulseFromElsewhere"/> says another
/// process did (a NOTIFY arrived), and only wakes — passing it on would echo notifications between processes forever.
/// </remarks>
public sealed class AppendSignal
{
    private TaskCompletionSource _next = NewSource();

    /// <summary>Raised by <see cref="Pulse"/>: appends committed in this process.</summary>
    public event Action? CommittedHere;

    /// <summary>Completes at the next pulse after it was taken.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    /// <summary>Appends committed in this process: wakes its readers and lets the notifier tell the others.</summary>
    public void Pulse()
    {
        PulseFromElsewhere();
        CommittedHere?.Invoke();
    }

    /// <summary>Another process appended: wakes this process's readers only.</summary>
    public void PulseFromElsewhere() => Interlocked.Exchange(ref _next, NewSource()).TrySetResult();

    /// <summary>Waits for <paramref name="pulse"/> (taken earlier from <see cref="Next"/>) or the timeout; true if pulsed.</summary>
    public static async Task<bool> WaitAsync(Task pulse, TimeSpan timeout, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pulse);
        if (pulse.IsCompleted) return true;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var delay = Task.Delay(timeout, linked.Token);
        var first = await Task.WhenAny(pulse, delay).ConfigureAwait(false);
        await linked.CancelAsync().ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        return first == pulse;
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

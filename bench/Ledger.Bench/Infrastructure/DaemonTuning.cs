using JasperFx.Events.Daemon.HighWater;
using Ledger.EventStore.MartenStore;
using Marten;

namespace Ledger.Bench.Infrastructure;

/// <summary>
/// How Marten's async daemon is told about new events, for the seal lag: its high-water agent polls <c>mt_events</c>
/// every <c>FastPollingTime</c> (250 ms by default) while events arrive and every <c>SlowPollingTime</c> (1 s) when it
/// found none, unless a wake-up (<c>DaemonSettings.Wakeup</c>) ends the wait early. <see cref="LedgerMarten"/> sets both
/// polling times to <see cref="LedgerMarten.DefaultSealPolling"/>; each tuning here is applied on top of that.
/// </summary>
public sealed record DaemonTuning(string Name, string How, Action<StoreOptions> Configure, bool PulseAfterAppend = false)
{
    /// <summary>What the Host runs: <see cref="LedgerMarten"/>'s own setting, nothing changed.</summary>
    public static DaemonTuning HostSetting { get; } = new("Ledger's setting",
        $"LedgerMarten.DefaultSealPolling: FastPollingTime = SlowPollingTime = {LedgerMarten.DefaultSealPolling.TotalMilliseconds:0} ms, as the Host runs",
        _ => { });

    /// <summary>Marten's own defaults, which Ledger's setting replaced.</summary>
    public static DaemonTuning Defaults { get; } = new("Marten's defaults",
        "FastPollingTime 250 ms, SlowPollingTime 1 s, no wake-up", MartenPolling);

    private static void MartenPolling(StoreOptions options)
    {
        options.Projections.FastPollingTime = TimeSpan.FromMilliseconds(250);
        options.Projections.SlowPollingTime = TimeSpan.FromSeconds(1);
    }

    public static DaemonTuning FastPolling(TimeSpan every) => new($"polling every {every.TotalMilliseconds:0} ms",
        $"FastPollingTime = SlowPollingTime = {every.TotalMilliseconds:0} ms", options =>
        {
            options.Projections.FastPollingTime = every;
            options.Projections.SlowPollingTime = every;
        });

    public static DaemonTuning ListenNotify { get; } = new("LISTEN/NOTIFY",
        "Events.UseListenNotifyForEventAppends: every append's transaction sends pg_notify, the daemon LISTENs " +
        "(PostgresqlListenWakeup) and polls as a fallback at Marten's defaults",
        options =>
        {
            // Marten's polling behind it, so the figure is the wake-up's, not Ledger's 10 ms poll's.
            MartenPolling(options);
            options.Events.UseListenNotifyForEventAppends = true;
        });

    /// <summary>The wake-up an appending process can give its own daemon: a signal after each append returned.</summary>
    public static DaemonTuning InProcessWakeup(InProcessWakeup wakeup) => new("in-process wake-up",
        "DaemonSettings.Wakeup set to a signal the appender raises after each append committed (no database round trip; " +
        "appends from other processes wait for the poll), polling as a fallback at Marten's defaults",
        options =>
        {
            MartenPolling(options);
            options.Projections.Wakeup = wakeup;
        }, PulseAfterAppend: true);
}

/// <summary>
/// A <see cref="IDaemonWakeup"/> raised in-process: the high-water agent's wait ends at the next <see cref="Pulse"/>
/// or at its polling interval. The signal is sticky, so a pulse between two waits still ends the next one.
/// </summary>
public sealed class InProcessWakeup : IDaemonWakeup
{
    private readonly SemaphoreSlim signal = new(0, 1);

    public void Pulse()
    {
        try { signal.Release(); }
        catch (SemaphoreFullException) { }
    }

    public async Task WaitAsync(TimeSpan timeout, CancellationToken token)
    {
        try { await signal.WaitAsync(timeout, token); }
        catch (OperationCanceledException) when (token.IsCancellationRequested) { }
    }

    public void Dispose() => signal.Dispose();
}

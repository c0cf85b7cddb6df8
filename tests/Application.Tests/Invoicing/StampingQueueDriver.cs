using System.Collections.Concurrent;
using Ledger.Application.Invoicing.Stamping;

namespace Ledger.Application.Tests.Invoicing;

/// <summary>
/// Plays the part of Wolverine's stamping queue for <see cref="StampingRun"/>: each message is handled on its own task
/// by one of the given runs (processes, taken in turn), and a follow-up is handed back to the queue at its time, as a
/// scheduled message would be. The queue itself — the subscription, the durable inbox, scheduled delivery, recovery
/// after a host dies — is exercised through the Host (EndToEnd.Tests: InvoiceApiTests, StampingLatencyTests,
/// TwoHostFailoverTests); this keeps the stamping rules testable on their own, with authorities and clocks of the test's.
/// </summary>
public sealed class StampingQueueDriver(params StampingRun[] runs) : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly ConcurrentDictionary<Task, bool> running = new();
    private readonly ConcurrentDictionary<Guid, ReconcileInvoice> scheduled = new();
    private int next = -1;
    private int outstanding;

    /// <summary>Messages being handled or waiting for their time.</summary>
    public int Outstanding => Volatile.Read(ref outstanding);

    /// <summary>The reconciliations waiting for their time, by invoice.</summary>
    public IReadOnlyDictionary<Guid, ReconcileInvoice> Scheduled => scheduled;

    public void Send(StampInvoice message) => Start(run => run.StampAsync(message, stop.Token), TimeSpan.Zero);

    private void Start(Func<StampingRun, Task<StampingFollowUp?>> handle, TimeSpan delay)
    {
        Interlocked.Increment(ref outstanding);
        var run = runs[(int)((uint)Interlocked.Increment(ref next) % (uint)runs.Length)];
        var task = Task.Run(async () =>
        {
            try
            {
                if (delay > TimeSpan.Zero) await Task.Delay(delay, stop.Token);
                if (await handle(run) is { } followUp)
                {
                    scheduled[followUp.Message.InvoiceId] = followUp.Message;
                    Start(r => ReconcileAsync(r, followUp.Message), followUp.At - DateTimeOffset.UtcNow);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            finally
            {
                Interlocked.Decrement(ref outstanding);
            }
        });
        running[task] = true;
    }

    private Task<StampingFollowUp?> ReconcileAsync(StampingRun run, ReconcileInvoice message)
    {
        scheduled.TryRemove(new KeyValuePair<Guid, ReconcileInvoice>(message.InvoiceId, message));
        return run.ReconcileAsync(message, stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await Task.WhenAll(running.Keys);
        stop.Dispose();
    }
}

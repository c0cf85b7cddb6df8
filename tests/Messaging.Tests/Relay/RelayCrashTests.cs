using Ledger.EventStore;
using Ledger.Messaging.Relay;
using Ledger.Messaging.Tests.Infrastructure;
using Ledger.TestSupport;

namespace Ledger.Messaging.Tests.Relay;

/// <summary>
/// The relay dies after the broker confirmed a batch but before its checkpoint moved — the one moment a crash
/// can re-publish. Every event must still arrive at least once, and deduplicating by message id exactly once.
/// </summary>
public sealed class RelayCrashTests : IAsyncLifetime
{
    private MessagingHarness h = null!;

    public async Task InitializeAsync() => h = await MessagingHarness.CreateAsync();

    public async Task DisposeAsync() => await h.DisposeAsync();

    [Fact]
    public async Task Relay_killed_mid_batch_then_restarted_publishes_every_event_at_least_once_and_once_after_dedup()
    {
        h.Broker.Settings.Relay.BatchSize = 25;
        await using var observer = await h.Broker.BindQueueAsync("commerce.order.#");
        var orders = new TestOrders(h.Db.Store, TestDatabase.NewTenant());
        var ids = new List<Guid>();
        for (var i = 0; i < 40; i++)
        {
            var id = await orders.CreateAsync();
            await orders.RequestPaymentAsync(id);
            ids.Add(id);
        }
        var events = new List<RecordedEvent>();
        foreach (var id in ids) events.AddRange(await orders.EventsAsync(id));

        var crashed = new TaskCompletionSource<GlobalPosition>(TaskCreationOptions.RunContinuationsAsynchronously);
        var batches = 0;
        var doomed = h.StartRelay(relay => relay.AfterConfirms = async (batch, ct) =>
        {
            if (++batches < 2) return;
            // The second batch is confirmed by the broker; the process dies before recording it.
            crashed.TrySetResult(batch[^1].Position);
            await Task.Delay(Timeout.Infinite, ct);
        });
        var lostBatchEnd = await crashed.Task.WaitAsync(Waits.Timeout);
        await doomed.KillAsync();

        var checkpoint = await new RelayCheckpoints(h.Db.AppDataSource).FindAsync("relay", default);
        checkpoint!.Value.Position.ShouldBeLessThan(lostBatchEnd, "the crashed batch was never checkpointed");

        await using var restarted = h.StartRelay();
        await Waits.ForCheckpoint(h, events.Max(e => e.Position));
        var received = await Waits.ForDistinct(observer, [.. events.Select(e => e.EventId)]);

        received.Count.ShouldBeGreaterThan(events.Count, "the confirmed but unrecorded batch was published again");
        var firstCopies = received.DistinctBy(m => m.MessageId).ToList();
        firstCopies.Count.ShouldBe(events.Count);
        firstCopies.Select(m => m.MessageId).ShouldBe(events.OrderBy(e => e.Position).Select(e => e.EventId.ToString("D")));
    }
}

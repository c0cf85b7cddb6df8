using Ledger.EventStore;
using Ledger.Messaging.Relay;
using Ledger.Messaging.Tests.Infrastructure;
using Ledger.TestSupport;
using Npgsql;

namespace Ledger.Messaging.Tests.Relay;

/// <summary>
/// The relay overlaps its stages: it reads the next batch while the current one is published and confirmed, and writes
/// the checkpoint of a confirmed batch while the next one is published. Each overlap is seen here by holding the
/// stage it must not wait for.
/// </summary>
public sealed class RelayPipelineTests : IAsyncLifetime
{
    private MessagingHarness h = null!;

    public async Task InitializeAsync()
    {
        h = await MessagingHarness.CreateAsync();
        h.Broker.Settings.Relay.BatchSize = 10;
    }

    public async Task DisposeAsync() => await h.DisposeAsync();

    [Fact]
    public async Task The_next_batch_is_read_before_the_confirmed_one_is_checkpointed_and_that_read_is_the_one_used()
    {
        await using var observer = await h.Broker.BindQueueAsync("commerce.order.#");
        var events = await CreateOrdersAsync(30);
        var store = new WatchedStore(h.Db.EventStore);
        var readAhead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        await using var _ = h.StartRelay(relay => relay.AfterConfirms = async (batch, ct) =>
        {
            if (batch[^1].Position != events[9].Position) return;
            // The first batch is confirmed and its checkpoint not yet moved: the second is already being read.
            await Eventually.Until(() => Task.FromResult(store.ReadsFrom), reads => reads.Contains(events[9].Position),
                Waits.Timeout, "a read from the end of the first batch");
            readAhead.TrySetResult();
        }, store);
        await readAhead.Task.WaitAsync(Waits.Timeout);
        await Waits.ForCheckpoint(h, events[^1].Position);

        (await Waits.ForMessages(observer, 30)).Select(m => m.MessageId).ShouldBe(events.Select(e => e.EventId.ToString("D")));
        store.ReadsFrom.Count(p => p == events[9].Position).ShouldBe(1, "the page read ahead was published, not read again");
    }

    [Fact]
    public async Task The_next_batch_is_published_while_the_checkpoint_of_the_one_before_waits_and_the_checkpoint_catches_up()
    {
        await using var observer = await h.Broker.BindQueueAsync("commerce.order.#");
        var events = await CreateOrdersAsync(30);
        var checkpoints = new RelayCheckpoints(h.Db.AppDataSource);
        var start = await checkpoints.ReadAsync("relay", default);

        // A transaction of the test holds the checkpoint row, so the relay's first checkpoint write waits for it.
        await using var connection = await h.Db.AppDataSource.OpenConnectionAsync();
        await using var holding = await connection.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand("SELECT 1 FROM relay_checkpoints WHERE relay = 'relay' FOR UPDATE", connection, holding))
            await hold.ExecuteScalarAsync();

        await using var relay = h.StartRelay();
        await Waits.ForMessages(observer, 20);
        (await checkpoints.FindAsync("relay", default))!.Value.Position.ShouldBe(start, "the first batch's write still waits");

        await holding.RollbackAsync();
        await Waits.ForCheckpoint(h, events[^1].Position);
        (await Waits.ForMessages(observer, 30)).Select(m => m.MessageId).ShouldBe(events.Select(e => e.EventId.ToString("D")));
        await Eventually.Until(() => Task.FromResult(((OutboxRelay)relay.Component).Status.Position), p => p == events[^1].Position,
            Waits.Timeout, "the relay's status at its checkpoint once idle");
    }

    private async Task<List<RecordedEvent>> CreateOrdersAsync(int count)
    {
        var orders = new TestOrders(h.Db.Store, TestDatabase.NewTenant());
        var events = new List<RecordedEvent>();
        for (var i = 0; i < count; i++) events.AddRange(await orders.EventsAsync(await orders.CreateAsync()));
        events = [.. events.OrderBy(e => e.Position)];
        await Waits.ForReadable(h, events[^1].Position);
        return events;
    }
}

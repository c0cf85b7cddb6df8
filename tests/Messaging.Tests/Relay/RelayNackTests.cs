using Ledger.EventStore;
using Ledger.Messaging.Relay;
using Ledger.Messaging.Tests.Infrastructure;
using Ledger.TestSupport;
using RabbitMQ.Client;

namespace Ledger.Messaging.Tests.Relay;

/// <summary>
/// The broker refuses part of a batch: a bound queue that is full rejects further publishes, and with confirms the
/// broker nacks them (x-overflow reject-publish), while the messages before them in the same batch are confirmed.
/// The relay reads its next batch ahead and writes its checkpoint behind, and neither may let the checkpoint pass
/// the refused message: the whole batch is published again until the broker takes it.
/// </summary>
public sealed class RelayNackTests : IAsyncLifetime
{
    private MessagingHarness h = null!;

    public async Task InitializeAsync() => h = await MessagingHarness.CreateAsync();

    public async Task DisposeAsync() => await h.DisposeAsync();

    [Fact]
    public async Task Nacked_in_the_middle_of_a_batch_the_checkpoint_stays_before_the_batch_and_the_whole_batch_is_published_again()
    {
        h.Broker.Settings.Relay.BatchSize = 10;
        await using var observer = await h.Broker.BindQueueAsync("commerce.order.#");
        var full = $"{h.Broker.Settings.QueuePrefix}full";
        await using var connection = await new ConnectionFactory { Uri = h.Broker.Uri }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        // Takes the first batch and half of the second, then refuses: messages 16 to 20 are nacked.
        await channel.QueueDeclareAsync(full, durable: true, exclusive: false, autoDelete: false,
            new Dictionary<string, object?> { ["x-max-length"] = 15, ["x-overflow"] = "reject-publish" });
        await channel.QueueBindAsync(full, h.Broker.Settings.Exchange, "commerce.order.#");

        var orders = new TestOrders(h.Db.Store, TestDatabase.NewTenant());
        var events = new List<RecordedEvent>();
        for (var i = 0; i < 25; i++) events.AddRange(await orders.EventsAsync(await orders.CreateAsync()));
        events = [.. events.OrderBy(e => e.Position)];
        await Waits.ForReadable(h, events[^1].Position); // so the relay reads batches of exactly 10

        await using var running = h.StartRelay();
        var relay = (OutboxRelay)running.Component;
        await Eventually.Until(() => Task.FromResult(h.Logs.Lines.Count(l => l.Message.StartsWith("Outbox relay failed", StringComparison.Ordinal))),
            failures => failures >= 3, Waits.Timeout, "the relay to fail on the nacked batch three times");

        var checkpoint = await new RelayCheckpoints(h.Db.AppDataSource).FindAsync("relay", default);
        checkpoint!.Value.Position.ShouldBe(events[9].Position, "confirmed up to the first batch's end, never into the nacked one");
        relay.Status.LastError.ShouldNotBeNull();

        await channel.QueueDeleteAsync(full, ifUnused: false, ifEmpty: false); // the broker takes everything again
        await Waits.ForCheckpoint(h, events[^1].Position);
        var received = await Waits.ForDistinct(observer, [.. events.Select(e => e.EventId)]);

        received.Count(m => m.MessageId == events[15].EventId.ToString("D")).ShouldBeGreaterThan(1, "the nacked batch was published again");
        received.DistinctBy(m => m.MessageId).Select(m => m.MessageId)
            .ShouldBe(events.Select(e => e.EventId.ToString("D")), "every event, once after dedup, in store order");
        await Eventually.Until(() => Task.FromResult(relay.Status.Position), p => p == events[^1].Position, Waits.Timeout, "the relay's status at its checkpoint");
    }
}

using System.Text;
using Ledger.EventStore;
using Ledger.Messaging.Contracts;
using Ledger.Messaging.Outbox;
using Ledger.Messaging.Tests.Infrastructure;
using Ledger.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using IProjectionCoordinator = Marten.Events.Daemon.Coordination.IProjectionCoordinator;

namespace Ledger.Messaging.Tests.Outbox;

/// <summary>
/// The wire contract of the event store as outbox, published through Wolverine: what an outside system receives is
/// byte for byte what the hand-written relay sent (body, AMQP properties, headers, routing keys).
/// </summary>
public sealed class OutboxPublishingTests : IAsyncLifetime
{
    private MessagingHarness h = null!;

    public async Task InitializeAsync() => h = await MessagingHarness.CreateAsync();

    public async Task DisposeAsync() => await h.DisposeAsync();

    [Fact]
    public async Task Create_pay_fulfil_publishes_one_message_per_event_with_the_relays_bytes_and_properties()
    {
        await using var observer = await h.Broker.BindQueueAsync("commerce.order.#");
        await h.StartPublisherAsync();
        var orders = new TestOrders(h.Db, TestDatabase.NewTenant());

        var id = await orders.CreateAsync();
        await orders.RequestPaymentAsync(id);
        await orders.PayAsync(id);
        await orders.FulfilAsync(id);
        var events = await orders.EventsAsync(id);
        await Waits.ForShard(h, events[^1].Position);
        // Messages of one page are in flight together and may reach the exchange in any order (docs/wolverine.md,
        // "Ordering"): they are matched to their events by message id.
        var received = (await Waits.ForMessages(observer, events.Count))
            .OrderBy(m => events.ToList().FindIndex(e => e.EventId.ToString("D") == m.MessageId)).ToList();

        received.Count.ShouldBe(4);
        received.Select(m => m.MessageId).ShouldBe(events.Select(e => e.EventId.ToString("D")));
        received.Select(m => m.RoutingKey).ShouldBe(
            ["commerce.order.created.v1", "commerce.order.payment_requested.v1", "commerce.order.paid.v1", "commerce.order.fulfilled.v1"]);
        var embedded = await ContractSchemas.EmbeddedAsync();
        var catalogue = new LedgerCatalogue();
        foreach (var (message, stored) in received.Zip(events))
        {
            // The body: exactly the envelope's bytes as Ledger writes them, not Wolverine's serialization.
            var expected = IntegrationMessage.For(stored, catalogue.Translate(stored)!, "ledger");
            message.Bytes.ShouldBe(expected.Body);
            (await SchemaFiles.ValidateAsync(message.RoutingKey, message.Body)).ShouldBeEmpty(message.Body);
            embedded.Validate(message.RoutingKey, message.Body).ShouldBeEmpty();

            // The properties: the relay's, and nothing of Wolverine's.
            var p = message.Properties;
            p.MessageId.ShouldBe(stored.EventId.ToString("D"));
            p.Type.ShouldBe(message.RoutingKey);
            p.ContentType.ShouldBe("application/json");
            p.ContentEncoding.ShouldBe("utf-8");
            p.DeliveryMode.ShouldBe(DeliveryModes.Persistent);
            p.CorrelationId.ShouldBe(stored.Metadata.CorrelationId);
            p.AppId.ShouldBe("ledger");
            p.Timestamp.UnixTime.ShouldBe(stored.OccurredAt.ToUnixTimeSeconds());
            p.IsReplyToPresent().ShouldBeFalse();
            p.IsExpirationPresent().ShouldBeFalse();
            p.IsUserIdPresent().ShouldBeFalse();
            p.IsPriorityPresent().ShouldBeFalse();
            // The client's own publish sequence number (confirm tracking) was on the relay's messages too.
            message.Headers.Keys.Except(["x-dotnet-pub-seq-no"]).Order(StringComparer.Ordinal).ShouldBe(["tenant_id", "traceparent"]);
            message.Header("traceparent").ShouldBe(TraceParent.Create(TestOrders.TraceId, stored.EventId));
            message.Header("tenant_id").ShouldBe(orders.Tenant);

            var body = message.Json;
            body.GetProperty("event_id").GetGuid().ShouldBe(stored.EventId);
            body.GetProperty("tenant_id").GetString().ShouldBe(orders.Tenant);
            body.GetProperty("trace_id").GetString().ShouldBe(TestOrders.TraceId);
            body.GetProperty("producer").GetString().ShouldBe("ledger");
            body.GetProperty("payload").GetProperty("order_id").GetGuid().ShouldBe(id);
        }

        // Personal data stays inside Ledger: the created event's customer name and e-mail are not published.
        received[0].Body.ShouldNotContain("Ada Lovelace");
        received[0].Body.ShouldNotContain("ada@example.org");
        received[0].Json.GetProperty("payload").GetProperty("total").GetString().ShouldBe("25.00");
        await Waits.ForOutboxEmpty(h);
    }

    [Fact]
    public async Task Internal_events_are_not_published_but_the_shard_moves_past_them_and_the_backlog_drains()
    {
        await using var everything = await h.Broker.BindQueueAsync("#");
        await h.StartPublisherAsync();
        var tenant = TestDatabase.NewTenant();
        var internalEvent = await h.Db.Store.AppendAsync(tenant, [TestEvents.To("thing-1", ExpectedVersion.NoStream, TestEvents.Event())]);
        var orders = new TestOrders(h.Db, tenant);
        var created = (await orders.EventsAsync(await orders.CreateAsync())).Single();

        await Waits.ForShard(h, created.Position);
        var received = await Waits.ForMessages(everything, 1);
        await Waits.ForOutboxEmpty(h);

        internalEvent.LastPosition.ShouldBeLessThan(created.Position);
        received.Single().MessageId.ShouldBe(created.EventId.ToString("D"));
        var state = await OutboxInspection.ReadAsync(h.Db.AppDataSource, default);
        state.Position.ShouldBeGreaterThanOrEqualTo(created.Position.Seq);
        state.Lag.ShouldBe(0);
    }

    [Fact]
    public async Task Only_one_process_publishes_at_a_time_and_another_takes_over_when_it_stops()
    {
        await using var observer = await h.Broker.BindQueueAsync("commerce.order.#");
        var first = await h.StartPublisherAsync();
        var orders = new TestOrders(h.Db, TestDatabase.NewTenant());
        var before = await orders.CreateAsync();
        await Waits.ForMessages(observer, 1);
        var second = await h.StartPublisherAsync();

        await first.StopAsync();
        var after = await orders.CreateAsync();

        var events = (await orders.EventsAsync(before)).Concat(await orders.EventsAsync(after)).ToList();
        var received = await Waits.ForDistinct(observer, [.. events.Select(e => e.EventId)]);
        received.Count.ShouldBe(2, "one publisher at a time: no event was published by both");
        received.Select(m => m.Json.GetProperty("payload").GetProperty("order_id").GetGuid()).ShouldBe([before, after]);
        await second.StopAsync();
    }

    [Fact]
    public async Task Messages_the_broker_refused_hold_the_shard_back_and_are_published_from_the_store_once_it_accepts_them()
    {
        await using var observer = await h.Broker.BindQueueAsync("commerce.order.#");
        var full = $"{h.Broker.Settings.QueuePrefix}full";
        await using var connection = await new ConnectionFactory { Uri = h.Broker.Uri }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        // Refuses every publish (x-overflow reject-publish with room for none): the broker nacks them all.
        await channel.QueueDeclareAsync(full, durable: true, exclusive: false, autoDelete: false,
            new Dictionary<string, object?> { ["x-max-length"] = 0, ["x-overflow"] = "reject-publish" });
        await channel.QueueBindAsync(full, h.Broker.Settings.Exchange, "commerce.order.#");

        var publisher = await h.StartPublisherAsync();
        var before = (await OutboxInspection.ReadAsync(h.Db.AppDataSource, default)).Position;
        var orders = new TestOrders(h.Db, TestDatabase.NewTenant());
        var events = new List<RecordedEvent>();
        for (var i = 0; i < 10; i++) events.AddRange(await orders.EventsAsync(await orders.CreateAsync()));
        // The nacked page fails and Marten pauses the shard where it was: nothing refused is passed.
        var daemon = publisher.Services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase();
        await Eventually.Until(() => Task.FromResult(daemon.CurrentAgents().FirstOrDefault(a => a.Name.Identity == OutboxSubscription.ShardName)?.Status),
            s => s == JasperFx.AgentStatus.Paused, Waits.Timeout, "the outbox shard paused by the refused page");
        (await OutboxInspection.ReadAsync(h.Db.AppDataSource, default)).Position.ShouldBeLessThan(events.Min(e => e.Position.Seq),
            "the shard does not move past messages the broker refused");
        before.ShouldBeLessThan(events.Min(e => e.Position.Seq));

        // Once the broker accepts them, the watch restarts the shard and the page is published again from the store.
        await channel.QueueDeleteAsync(full, ifUnused: false, ifEmpty: false);
        var received = await Waits.ForDistinct(observer, [.. events.Select(e => e.EventId)]);
        await Waits.ForShard(h, events.Max(e => e.Position));

        var catalogue = new LedgerCatalogue();
        foreach (var stored in events)
        {
            var copies = received.Where(m => m.MessageId == stored.EventId.ToString("D")).ToList();
            copies.ShouldNotBeEmpty();
            foreach (var message in copies)
            {
                message.Bytes.ShouldBe(IntegrationMessage.For(stored, catalogue.Translate(stored)!, "ledger").Body);
                message.RoutingKey.ShouldBe("commerce.order.created.v1");
                message.Properties.CorrelationId.ShouldBe(stored.Metadata.CorrelationId);
                message.Properties.Timestamp.UnixTime.ShouldBe(stored.OccurredAt.ToUnixTimeSeconds());
                message.Header("traceparent").ShouldBe(TraceParent.Create(TestOrders.TraceId, stored.EventId));
                message.Header("tenant_id").ShouldBe(orders.Tenant);
                Encoding.UTF8.GetString(message.Bytes).ShouldNotContain("wolverine");
            }
        }
    }
}

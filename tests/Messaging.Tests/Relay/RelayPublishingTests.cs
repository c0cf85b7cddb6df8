using System.Text.Json;
using Ledger.Messaging.Contracts;
using Ledger.Messaging.Relay;
using Ledger.Messaging.Tests.Infrastructure;
using Ledger.TestSupport;

namespace Ledger.Messaging.Tests.Relay;

public sealed class RelayPublishingTests : IAsyncLifetime
{
    private MessagingHarness h = null!;

    public async Task InitializeAsync() => h = await MessagingHarness.CreateAsync();

    public async Task DisposeAsync() => await h.DisposeAsync();

    [Fact]
    public async Task Create_pay_fulfil_publishes_exactly_one_message_per_event_in_stream_order_each_valid_against_its_schema()
    {
        await using var observer = await h.Broker.BindQueueAsync("commerce.order.#");
        var relay = h.StartRelay();
        var orders = new TestOrders(h.Db.Store, TestDatabase.NewTenant());

        var id = await orders.CreateAsync();
        await orders.RequestPaymentAsync(id);
        await orders.PayAsync(id);
        await orders.FulfilAsync(id);
        var events = await orders.EventsAsync(id);
        await Waits.ForCheckpoint(h, events[^1].Position);
        var received = await Waits.ForMessages(observer, events.Count);

        received.Count.ShouldBe(4);
        received.Select(m => m.MessageId).ShouldBe(events.Select(e => e.EventId.ToString("D")));
        received.Select(m => m.RoutingKey).ShouldBe(
            ["commerce.order.created.v1", "commerce.order.payment_requested.v1", "commerce.order.paid.v1", "commerce.order.fulfilled.v1"]);
        var embedded = await ContractSchemas.EmbeddedAsync();
        foreach (var (message, stored) in received.Zip(events))
        {
            message.Type.ShouldBe(message.RoutingKey);
            message.Persistent.ShouldBeTrue();
            (await SchemaFiles.ValidateAsync(message.RoutingKey, message.Body)).ShouldBeEmpty(message.Body);
            embedded.Validate(message.RoutingKey, message.Body).ShouldBeEmpty();
            message.Header("traceparent").ShouldStartWith($"00-{TestOrders.TraceId}-");
            TraceParent.TryReadTraceId(message.Header("traceparent"), out _).ShouldBeTrue();

            var body = message.Json;
            body.GetProperty("event_id").GetGuid().ShouldBe(stored.EventId);
            body.GetProperty("tenant_id").GetString().ShouldBe(orders.Tenant);
            body.GetProperty("correlation_id").GetString().ShouldBe(stored.Metadata.CorrelationId);
            body.GetProperty("trace_id").GetString().ShouldBe(TestOrders.TraceId);
            body.GetProperty("producer").GetString().ShouldBe("ledger");
            body.GetProperty("payload").GetProperty("order_id").GetGuid().ShouldBe(id);
        }

        // Personal data stays inside Ledger: the created event's customer name and e-mail are not published.
        received[0].Body.ShouldNotContain("Ada Lovelace");
        received[0].Body.ShouldNotContain("ada@example.org");
        received[0].Json.GetProperty("payload").TryGetProperty("personal", out _).ShouldBeFalse();
        received[0].Json.GetProperty("payload").GetProperty("total").GetString().ShouldBe("25.00");

        ((OutboxRelay)relay.Component).Status.IsRelay.ShouldBeTrue();
        ((OutboxRelay)relay.Component).Status.Broker.Connected.ShouldBeTrue();
    }

    [Fact]
    public async Task Internal_events_are_not_published_but_the_checkpoint_moves_past_them()
    {
        await using var everything = await h.Broker.BindQueueAsync("#");
        await using var _ = h.StartRelay();
        var tenant = TestDatabase.NewTenant();
        var internalEvent = await h.Db.Store.AppendAsync(tenant, [TestEvents.To("thing-1", EventStore.ExpectedVersion.NoStream, TestEvents.Event())]);
        var orders = new TestOrders(h.Db.Store, tenant);
        var id = await orders.CreateAsync();
        var created = (await orders.EventsAsync(id)).Single();

        await Waits.ForCheckpoint(h, created.Position);
        var received = await Waits.ForMessages(everything, 1);

        internalEvent.LastPosition.ShouldBeLessThan(created.Position);
        received.Single().MessageId.ShouldBe(created.EventId.ToString("D"));
        await Eventually.Until(() => Task.FromResult(h.Metrics.OutboxBacklog), b => b == 0, Waits.Timeout, "the backlog metric");

        // What `ledger relay status` reports, from outside the relay's process.
        await using var probe = h.Broker.Connect();
        var report = await RelayInspection.InspectAsync(h.Db.AppDataSource, h.Db.Schema, "relay", probe, default);
        report.Running.ShouldBeTrue();
        report.Position.ShouldBeGreaterThanOrEqualTo(created.Position);
        report.Backlog.ShouldBe(0);
        report.Broker.Connected.ShouldBeTrue();
    }

    [Fact]
    public async Task Only_one_process_relays_at_a_time_and_another_takes_over_when_it_dies()
    {
        await using var observer = await h.Broker.BindQueueAsync("commerce.order.#");
        var first = h.StartRelay();
        var firstRelay = (OutboxRelay)first.Component;
        await Eventually.Until(() => Task.FromResult(firstRelay.Status.IsRelay), held => held, Waits.Timeout, "the first relay to take the lease");
        var second = h.StartRelay();
        var secondRelay = (OutboxRelay)second.Component;

        var orders = new TestOrders(h.Db.Store, TestDatabase.NewTenant());
        var before = await orders.CreateAsync();
        await Waits.ForMessages(observer, 1);
        secondRelay.Status.IsRelay.ShouldBeFalse();

        await first.KillAsync();
        await Eventually.Until(() => Task.FromResult(secondRelay.Status.IsRelay), held => held, Waits.Timeout, "the second relay to take over");
        var after = await orders.CreateAsync();

        var events = (await orders.EventsAsync(before)).Concat(await orders.EventsAsync(after)).ToList();
        // Killed right after publishing, the first relay may not have recorded it: at-least-once, so deduplicate.
        var received = (await Waits.ForDistinct(observer, [.. events.Select(e => e.EventId)])).DistinctBy(m => m.MessageId);
        received.Select(m => m.Json.GetProperty("payload").GetProperty("order_id").GetGuid()).ShouldBe([before, after]);
    }
}

using System.Diagnostics;
using Ledger.Application.Orders;
using Ledger.Domain.Orders;
using Ledger.EventStore;
using Ledger.Messaging.Tests.Infrastructure;
using Ledger.TestSupport;
using Xunit.Abstractions;

namespace Ledger.Messaging.Tests.Relay;

/// <summary>Measures how fast the relay drains a backlog into a durable queue (printed; the bound is only a sanity floor).</summary>
public sealed class RelayThroughputTests(ITestOutputHelper output) : IAsyncLifetime
{
    private MessagingHarness h = null!;

    public async Task InitializeAsync() => h = await MessagingHarness.CreateAsync();

    public async Task DisposeAsync() => await h.DisposeAsync();

    [Fact]
    public async Task The_relay_drains_a_backlog_of_3000_order_events()
    {
        await using var observer = await h.Broker.BindQueueAsync("commerce.order.created.v1");
        var tenant = TestDatabase.NewTenant();
        AppendResult last = null!;
        for (var append = 0; append < 30; append++)
            last = await h.Db.Store.AppendAsync(tenant, [.. Enumerable.Range(0, 100).Select(_ => NewOrder())]);

        var clock = Stopwatch.StartNew();
        await using var relay = h.StartRelay();
        await Waits.ForCheckpoint(h, last.LastPosition);
        clock.Stop();

        var rate = 3000 / clock.Elapsed.TotalSeconds;
        output.WriteLine($"relay: 3000 events published and confirmed in {clock.Elapsed.TotalMilliseconds:0} ms = {rate:0} events/s (batch {h.Broker.Settings.Relay.BatchSize})");
        rate.ShouldBeGreaterThan(100);
        (await Waits.ForMessages(observer, 3000)).DistinctBy(m => m.MessageId).Count().ShouldBe(3000);
    }

    private static StreamAppend NewOrder()
    {
        var id = Guid.CreateVersion7();
        var now = DateTimeOffset.UtcNow;
        var encoded = OrderEventCodec.Encode(new OrderCreated(id, "cust-1", "EUR", [new OrderLine("SKU-1", "Widget", 2, 12.50m)], 25.00m, now, null));
        var e = new EventToAppend(Guid.CreateVersion7(), encoded.EventType, encoded.TypeVersion, now, encoded.Data,
            new EventMetadata("bench", null, "bench", null, "test"));
        return new StreamAppend(OrderStreams.For(id), ExpectedVersion.NoStream, [e]);
    }
}

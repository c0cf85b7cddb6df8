using Ledger.Application.Orders;
using Ledger.Domain.Orders;
using Ledger.EventStore;
using Ledger.EventStore.Privacy;

namespace Ledger.Projections.Tests.Infrastructure;

/// <summary>Order events as the order handler would store them, appended in bulk for projection tests.</summary>
public static class OrderHistory
{
    public static readonly DateTimeOffset Start = new(2025, 1, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// One order's events by <paramref name="variant"/>: created only; payment requested; paid; paid and fulfilled;
    /// cancelled; payment failed. Each step an hour after the last, from <paramref name="at"/>.
    /// </summary>
    public static IReadOnlyList<OrderEvent> Lifecycle(Guid id, int variant, DateTimeOffset at, string customer = "cust-1", string currency = "EUR", decimal total = 25.00m)
    {
        var events = new List<OrderEvent>
        {
            new OrderCreated(id, customer, currency, [new OrderLine("SKU-1", "Widget", 2, total / 2)], total, at, new CustomerPersonalData("Ada", "ada@example.org")),
        };
        var step = variant % 6;
        if (step == 0) return events;
        if (step == 4) return [.. events, new OrderCancelled(id, "customer changed mind", at.AddHours(1))];
        events.Add(new OrderPaymentRequested(id, total, at.AddHours(1)));
        if (step == 1) return events;
        if (step == 5) return [.. events, new OrderPaymentFailed(id, "card declined", at.AddHours(2))];
        events.Add(new OrderPaid(id, total, "psp-" + id.ToString("N")[..8], at.AddHours(2)));
        if (step == 3) events.Add(new OrderFulfilled(id, at.AddHours(3)));
        return events;
    }

    public static EventToAppend ToAppend(OrderEvent e)
    {
        // The customer's data sealed as the handler seals it (a key of the test's own: projections never open it).
        var encoded = OrderEventCodec.Encode(e, e is OrderCreated c ? SubjectKey.Create("test", c.CustomerId, 1) : null);
        return new EventToAppend(Guid.CreateVersion7(), encoded.EventType, encoded.TypeVersion, DateTimeOffset.UtcNow, encoded.Data,
            new EventMetadata(Guid.NewGuid().ToString("N"), null, "test", null, "test"));
    }

    public static StreamAppend Stream(Guid orderId, IReadOnlyList<OrderEvent> events, long expected = 0) =>
        new(OrderStreams.For(orderId), ExpectedVersion.Exactly(expected), [.. events.Select(ToAppend)]);

    /// <summary>
    /// Appends <paramref name="orders"/> orders of varied lifecycles for one tenant, <paramref name="perAppend"/> orders
    /// to a transaction; returns how many events. Orders are spread over days so the journal has many rows.
    /// </summary>
    public static async Task<int> AppendOrdersAsync(IEventStore store, string tenant, int orders, int perAppend = 25, int seed = 1)
    {
        var random = new Random(seed);
        var count = 0;
        for (var first = 0; first < orders; first += perAppend)
        {
            var streams = new List<StreamAppend>();
            for (var i = first; i < Math.Min(orders, first + perAppend); i++)
            {
                var lifecycle = Lifecycle(Guid.CreateVersion7(), random.Next(6), Start.AddHours(i * 7 % 2000),
                    $"cust-{random.Next(40)}", random.Next(3) == 0 ? "USD" : "EUR", random.Next(1, 100000) / 100m);
                streams.Add(Stream(lifecycle[0].OrderId, lifecycle));
                count += lifecycle.Count;
            }
            await store.AppendAsync(tenant, streams);
        }
        return count;
    }
}

using Ledger.Application.Orders;
using Ledger.Bench.Infrastructure;
using Ledger.Domain.Orders;
using Ledger.EventStore;

namespace Ledger.Bench.Scenarios;

/// <summary>Real order events (as the Host's handler encodes them) for the scenarios that read them back: projections, relay.</summary>
public static class OrderEvents
{
    public static EventToAppend Created(Guid orderId, int i)
    {
        var now = DateTimeOffset.UtcNow;
        var created = new OrderCreated(orderId, $"C-{i % 100_000:D7}", "EUR",
        [
            new OrderLine("SKU-10001", "Widget, blue, 40 mm, boxed", 1 + i % 5, 12.50m),
            new OrderLine("SKU-10002", "Gadget, red, 12 mm, loose", 1, 7.25m),
            new OrderLine("SKU-10003", "Sprocket, steel, 25 teeth", 4, 3.10m),
        ], (1 + i % 5) * 12.50m + 7.25m + 12.40m, now, new CustomerPersonalData("Ada Lovelace", "ada@example.com"));
        // Sealed as the handler seals it (a v2 event), under a key of its own: the bench measures appends, not the key table.
        var encoded = OrderEventCodec.Encode(created, Ledger.EventStore.Privacy.SubjectKey.Create("bench", created.CustomerId, 1));
        return new EventToAppend(Guid.CreateVersion7(), encoded.EventType, encoded.TypeVersion, now, encoded.Data, Payloads.Metadata);
    }

    /// <summary><paramref name="count"/> new orders (one created event each) spread over <paramref name="tenants"/> tenants, 100 orders per append.</summary>
    public static async Task PreloadAsync(IEventStore store, int count, int tenants)
    {
        var chunks = Enumerable.Range(0, (count + 99) / 100).ToList();
        await Parallel.ForEachAsync(chunks.GroupBy(c => c % tenants), new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (tenant, ct) =>
        {
            foreach (var chunk in tenant)
            {
                var appends = Enumerable.Range(chunk * 100, Math.Min(100, count - chunk * 100)).Select(i =>
                {
                    var orderId = Guid.CreateVersion7();
                    return new StreamAppend(OrderStreams.For(orderId), ExpectedVersion.NoStream, [Created(orderId, i)]);
                }).ToList();
                await store.AppendAsync($"tenant-{tenant.Key:D3}", appends, ct);
            }
        });
    }
}

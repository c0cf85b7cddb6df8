using Ledger.Application.Orders;
using Ledger.Bench.Infrastructure;
using Ledger.Domain.Orders;
using Ledger.EventStore;
using Ledger.EventStore.Privacy;

namespace Ledger.Bench.Scenarios;

/// <summary>Real order events (as the Host's handler encodes them) for the scenarios that read them back: projections, relay.</summary>
public static class OrderEvents
{
    /// <summary>
    /// An order created as the Host's handler writes it: version 2, its personal data sealed under the customer's key.
    /// The key is made here and kept nowhere (no subject_keys row, no round trip): these scenarios read orders back, and
    /// none of their readers opens personal data, so only the sealed fields' bytes must be the Host's.
    /// </summary>
    public static EventToAppend Created(string tenantId, Guid orderId, int i)
    {
        var now = DateTimeOffset.UtcNow;
        var customerId = $"C-{i % 100_000:D7}";
        var created = new OrderCreated(orderId, customerId, "EUR",
        [
            new OrderLine("SKU-10001", "Widget, blue, 40 mm, boxed", 1 + i % 5, 12.50m),
            new OrderLine("SKU-10002", "Gadget, red, 12 mm, loose", 1, 7.25m),
            new OrderLine("SKU-10003", "Sprocket, steel, 25 teeth", 4, 3.10m),
        ], (1 + i % 5) * 12.50m + 7.25m + 12.40m, now, new CustomerPersonalData("Ada Lovelace", "ada@example.com"));
        var encoded = OrderEventCodec.Encode(created, SubjectKey.Create(tenantId, customerId, 1));
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
                    return new StreamAppend(OrderStreams.For(orderId), ExpectedVersion.NoStream, [Created($"tenant-{tenant.Key:D3}", orderId, i)]);
                }).ToList();
                await store.AppendAsync($"tenant-{tenant.Key:D3}", appends, ct);
            }
        });
    }
}

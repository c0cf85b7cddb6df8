using System.Globalization;
using System.Text;
using System.Text.Json;
using Ledger.EventStore;

namespace Ledger.Bench.Infrastructure;

/// <summary>
/// Event data of about 500 bytes, shaped like an order (ids, lines, money as strings), from a pool of distinct
/// bodies made once so that building them never shows in a measurement. Ledger and every baseline store the
/// same bodies.
/// </summary>
public sealed class Payloads
{
    public const int TargetBytes = 500;
    public const string EventType = "bench.order.recorded";
    private const int PoolSize = 512;

    private readonly JsonElement[] elements = new JsonElement[PoolSize];
    private readonly string[] texts = new string[PoolSize];

    public Payloads(int seed = 7)
    {
        var random = new Random(seed);
        for (var i = 0; i < PoolSize; i++)
        {
            var text = Body(random);
            texts[i] = text;
            using var document = JsonDocument.Parse(text);
            elements[i] = document.RootElement.Clone();
        }
    }

    public static EventMetadata Metadata { get; } = new("bench-correlation", null, "bench-writer", null, "bench");

    public int AverageBytes => (int)texts.Average(t => Encoding.UTF8.GetByteCount(t));

    public JsonElement Element(long i) => elements[i % PoolSize];

    public string Text(long i) => texts[i % PoolSize];

    public EventToAppend Event(long i) =>
        new(Guid.CreateVersion7(), EventType, 1, DateTimeOffset.UtcNow, Element(i), Metadata);

    private static string Body(Random random)
    {
        var lines = Enumerable.Range(0, 3).Select(n => new
        {
            sku = $"SKU-{random.Next(100_000):D5}",
            description = $"Widget {n}, {Colours[random.Next(Colours.Length)]}, {random.Next(10, 90)} mm",
            quantity = random.Next(1, 20),
            unit_price = (random.Next(100, 100_000) / 100m).ToString("0.00", CultureInfo.InvariantCulture),
        }).ToArray();
        var body = new Dictionary<string, object>
        {
            ["order_id"] = Guid.NewGuid().ToString("D"),
            ["customer_id"] = $"C-{random.Next(1_000_000):D7}",
            ["currency"] = "EUR",
            ["lines"] = lines,
            ["total"] = lines.Sum(l => l.quantity * decimal.Parse(l.unit_price, CultureInfo.InvariantCulture)).ToString("0.00", CultureInfo.InvariantCulture),
            ["note"] = "",
        };
        var size = JsonSerializer.Serialize(body).Length;
        body["note"] = new string('x', Math.Max(0, TargetBytes - size));
        return JsonSerializer.Serialize(body);
    }

    private static readonly string[] Colours = ["red", "blue", "green", "black", "white", "amber"];
}

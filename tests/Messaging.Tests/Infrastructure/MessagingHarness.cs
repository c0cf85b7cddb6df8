using Ledger.Messaging.Diagnostics;
using Ledger.TestSupport;

namespace Ledger.Messaging.Tests.Infrastructure;

/// <summary>
/// A fresh schema (event store + messaging migrations) and a private corner of the test broker, with helpers to
/// run publishers as a Host would.
/// </summary>
public sealed class MessagingHarness : IAsyncDisposable
{
    private readonly List<PublisherHost> publishers = [];

    private MessagingHarness(TestDatabase db, TestBroker broker)
    {
        Db = db;
        Broker = broker;
    }

    public TestDatabase Db { get; }

    public TestBroker Broker { get; }

    public MessagingMetrics Metrics { get; } = new();

    public TestLogs Logs { get; } = new();

    public static async Task<MessagingHarness> CreateAsync(string? virtualHost = null) =>
        new(await TestDatabase.CreateAsync(MessagingMigrations.Set), new TestBroker(virtualHost));

    /// <summary>A publishing process over the test store (Marten's daemon with the outbox shard, Wolverine, RabbitMQ).</summary>
    public Task<PublisherHost> StartPublisherAsync(Uri? broker = null) => PublisherHost.StartAsync(this, broker: broker);

    internal void Track(PublisherHost publisher) => publishers.Add(publisher);

    public async ValueTask DisposeAsync()
    {
        foreach (var publisher in publishers) await publisher.DisposeAsync();
        await Broker.DisposeAsync();
        Metrics.Dispose();
        await Db.DisposeAsync();
    }
}

using Ledger.Messaging.Consumers;
using Ledger.Messaging.Diagnostics;
using Ledger.TestSupport;

namespace Ledger.Messaging.Tests.Infrastructure;

/// <summary>
/// A fresh schema (event store + messaging migrations) and a private corner of the test broker, with helpers to
/// run publishers and consumers as a Host would, and to stop them gracefully or kill them.
/// </summary>
public sealed class MessagingHarness : IAsyncDisposable
{
    private readonly List<Running> running = [];
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

    public Running StartConsumer(ConsumerDefinition definition, Npgsql.NpgsqlDataSource? dataSource = null)
    {
        var connection = Broker.Connect();
        var consumer = new MessageConsumer(definition, connection, dataSource ?? Db.AppDataSource, Broker.Settings, Metrics, Logs.For<MessageConsumer>());
        Broker.Track(consumer.Queues, new RetrySchedule(Broker.Settings.Consumers).AllDelays);
        return Start(connection, consumer, consumer.RunAsync);
    }

    private Running Start(Broker.BrokerConnection connection, object component, Func<CancellationToken, Task> run)
    {
        var stop = new CancellationTokenSource();
        var task = Task.Run(() => run(stop.Token));
        var handle = new Running(component, connection, stop, task);
        running.Add(handle);
        return handle;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var handle in running) await handle.DisposeAsync();
        foreach (var publisher in publishers) await publisher.DisposeAsync();
        await Broker.DisposeAsync();
        Metrics.Dispose();
        await Db.DisposeAsync();
    }
}

/// <summary>A running consumer.</summary>
public sealed class Running(object component, Broker.BrokerConnection connection, CancellationTokenSource stop, Task task) : IAsyncDisposable
{
    private bool stopped;

    public object Component { get; } = component;

    public Task Task { get; } = task;

    /// <summary>Stops it as a process would die: cancelled and its broker connection dropped, nothing flushed.</summary>
    public async Task KillAsync()
    {
        if (stopped) return;
        stopped = true;
        await stop.CancelAsync();
        await connection.DisposeAsync();
        await Task.WhenAny(Task, Task.Delay(TimeSpan.FromSeconds(10)));
        stop.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (stopped) return;
        stopped = true;
        await stop.CancelAsync();
        await Task.WhenAny(Task, Task.Delay(TimeSpan.FromSeconds(10)));
        await connection.DisposeAsync();
        stop.Dispose();
    }
}

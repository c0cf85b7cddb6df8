using Ledger.EventStore;
using Ledger.Messaging.Outbox;
using Ledger.Messaging.Tests.Infrastructure;
using Ledger.TestSupport;
using Xunit.Abstractions;

namespace Ledger.Messaging.Tests.Outbox;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrokerOutageCollection
{
    public const string Name = "broker outage";
}

/// <summary>
/// The broker goes away in the middle of a stream of appends and comes back. The cut is real but private to this
/// test: the class has a virtual host of its own, and the outage revokes the guest user's access to it and closes
/// its connections, so every reconnect is refused until access returns (other tests on the node are untouched).
/// It lasts 6 s by default; LEDGER_TEST_BROKER_OUTAGE_SECONDS=30 reproduces the issue's 30 s with the same code path
/// (Wolverine's sender only ever sees refused connections and failed publishes, however long they last).
/// </summary>
[Collection(BrokerOutageCollection.Name)]
public sealed class BrokerOutageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string vhost = "ledger-test-" + Guid.NewGuid().ToString("N")[..10];
    private MessagingHarness h = null!;

    public async Task InitializeAsync()
    {
        if (!BrokerControl.Available) return;
        await BrokerControl.CtlAsync("add_vhost", vhost);
        await Grant();
        h = await MessagingHarness.CreateAsync(vhost);
    }

    public async Task DisposeAsync()
    {
        if (!BrokerControl.Available) return;
        await h.DisposeAsync();
        await BrokerControl.CtlAsync("delete_vhost", vhost);
    }

    [BrokerControlFact]
    public async Task Broker_down_in_the_middle_of_a_stream_of_appends_loses_nothing_and_the_outages_orders_arrive_once()
    {
        var outage = TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("LEDGER_TEST_BROKER_OUTAGE_SECONDS"), out var s) ? s : 6);
        await using var observer = await h.Broker.BindQueueAsync("commerce.order.#");
        await h.StartPublisherAsync();
        var orders = new TestOrders(h.Db.Store, TestDatabase.NewTenant());
        var created = new List<Guid>();
        using var appending = new CancellationTokenSource();
        var appender = Task.Run(async () =>
        {
            // A steady stream of orders (bounded), before, during and after the outage.
            for (var i = 0; i < 2000 && !appending.IsCancellationRequested; i++)
            {
                var id = await orders.CreateAsync();
                lock (created) created.Add(id);
                await Task.Delay(15, CancellationToken.None); // pacing the load, not waiting for anything
            }
        });

        await Waits.ForMessages(observer, 20);
        await Revoke();
        var cutAt = DateTime.UtcNow;
        var createdBeforeCut = Count(created);
        await Task.Delay(outage); // the outage itself
        var duringOutage = Snapshot(created).Skip(createdBeforeCut).ToList();
        var backlogDuringOutage = (await OutboxInspection.ReadAsync(h.Db.AppDataSource, default)).Backlog;
        await Grant();
        await Eventually.Until(() => Task.FromResult(Count(created)), n => n > createdBeforeCut + duringOutage.Count + 20, Waits.Timeout, "appends after the outage");
        await appending.CancelAsync();
        await appender;

        var all = new List<RecordedEvent>();
        var outageIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in Snapshot(created))
        {
            var events = await orders.EventsAsync(id);
            all.AddRange(events);
            if (duringOutage.Contains(id)) outageIds.UnionWith(events.Select(e => e.EventId.ToString("D")));
        }
        await Waits.ForShard(h, all.Max(e => e.Position));
        var received = await Waits.ForDistinct(observer, [.. all.Select(e => e.EventId)]);
        await Waits.ForOutboxEmpty(h);
        received = observer.Received;

        var duplicates = received.Count - received.DistinctBy(m => m.MessageId).Count();
        output.WriteLine($"outage {outage.TotalSeconds:0}s, {all.Count} events appended ({outageIds.Count} during the outage), {received.Count} messages received " +
            $"({duplicates} duplicates, {received.Count(m => outageIds.Contains(m.MessageId!)) - outageIds.Count} of them of the outage's orders), " +
            $"backlog during outage {backlogDuringOutage}, recovered {(DateTime.UtcNow - cutAt).TotalSeconds:0.0}s after the cut");
        outageIds.Count.ShouldBeGreaterThanOrEqualTo(50, "at least 50 orders were created while the broker was away");
        backlogDuringOutage.ShouldBeGreaterThan(0, "appends went on while the broker was away");
        received.Select(m => m.MessageId).ToHashSet().SetEquals(all.Select(e => e.EventId.ToString("D"))).ShouldBeTrue("every event arrived, nothing else");
        received.Where(m => outageIds.Contains(m.MessageId!)).Select(m => m.MessageId).Distinct().Count().ShouldBe(outageIds.Count, "each order of the outage arrived");
    }

    private static int Count(List<Guid> created)
    {
        lock (created) return created.Count;
    }

    private static List<Guid> Snapshot(List<Guid> created)
    {
        lock (created) return [.. created];
    }

    private Task Grant() => BrokerControl.CtlAsync("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*");

    private async Task Revoke()
    {
        await BrokerControl.CtlAsync("clear_permissions", "-p", vhost, "guest");
        await BrokerControl.CtlAsync("close_all_connections", "-p", vhost, "ledger test: broker outage");
    }
}

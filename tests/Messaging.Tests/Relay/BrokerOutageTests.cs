using Ledger.EventStore;
using Ledger.Messaging.Relay;
using Ledger.Messaging.Tests.Infrastructure;
using Ledger.TestSupport;
using Xunit.Abstractions;

namespace Ledger.Messaging.Tests.Relay;

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
/// (the relay only ever sees refused connections and failed publishes, however long they last).
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
    public async Task Broker_down_in_the_middle_of_a_stream_of_appends_loses_nothing()
    {
        var outage = TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("LEDGER_TEST_BROKER_OUTAGE_SECONDS"), out var s) ? s : 6);
        await using var observer = await h.Broker.BindQueueAsync("commerce.order.#");
        var relay = h.StartRelay();
        var status = ((OutboxRelay)relay.Component);
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
        await Eventually.Until(() => Task.FromResult(status.Status.Broker.Connected), connected => !connected, Waits.Timeout, "the relay to notice");
        var cutAt = DateTime.UtcNow;
        await Task.Delay(outage); // the outage itself
        var backlogDuringOutage = status.Status.Backlog;
        var appendedDuringOutage = Count(created);
        await Grant();
        await Eventually.Until(() => Task.FromResult(Count(created)), n => n > appendedDuringOutage + 20, Waits.Timeout, "appends after the outage");
        await appending.CancelAsync();
        await appender;

        var all = new List<RecordedEvent>();
        foreach (var id in created) all.AddRange(await orders.EventsAsync(id));
        await Waits.ForCheckpoint(h, all.Max(e => e.Position));
        var received = await Waits.ForDistinct(observer, [.. all.Select(e => e.EventId)]);

        output.WriteLine($"outage {outage.TotalSeconds:0}s, {all.Count} events appended, {received.Count} messages received " +
            $"({received.Count - received.DistinctBy(m => m.MessageId).Count()} duplicates), backlog during outage {backlogDuringOutage}, " +
            $"recovered {(DateTime.UtcNow - cutAt).TotalSeconds:0.0}s after the cut");
        backlogDuringOutage.ShouldBeGreaterThan(0, "appends went on while the broker was away");
        received.DistinctBy(m => m.MessageId).Select(m => m.MessageId)
            .ShouldBe(all.OrderBy(e => e.Position).Select(e => e.EventId.ToString("D")), "every event, once after dedup, in store order");
        status.Status.Broker.Connected.ShouldBeTrue();
        h.Logs.Lines.ShouldContain(l => l.Message.Contains("The backlog stays in the store", StringComparison.Ordinal));
    }

    private static int Count(List<Guid> created)
    {
        lock (created) return created.Count;
    }

    private Task Grant() => BrokerControl.CtlAsync("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*");

    private async Task Revoke()
    {
        await BrokerControl.CtlAsync("clear_permissions", "-p", vhost, "guest");
        await BrokerControl.CtlAsync("close_all_connections", "-p", vhost, "ledger test: broker outage");
    }
}

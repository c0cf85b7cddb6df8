using Ledger.EventStore;
using Ledger.Messaging.Outbox;
using Ledger.Messaging.Tests.Infrastructure;
using Ledger.TestSupport;
using Xunit.Abstractions;

namespace Ledger.Messaging.Tests.Outbox;

/// <summary>
/// The broker goes away in the middle of a stream of appends and comes back. The cut is real but private to this
/// test: the publishing process reaches the broker through a <see cref="TcpProxy"/>, and the outage drops its
/// connections and refuses new ones (as a stopped broker does) until it is restored; the observer, another system,
/// keeps its own connection. It lasts 6 s by default; LEDGER_TEST_BROKER_OUTAGE_SECONDS=30 reproduces the issue's
/// 30 s with the same code path (Wolverine's sender only ever sees a dropped connection and refused reconnects,
/// however long they last).
/// </summary>
/// <remarks>
/// Not by revoking the user's access to a virtual host and closing its connections (rabbitmqctl), as the relay's test
/// did: the RabbitMQ client's recovery then reconnects into "access refused" and, seen here, its connection stayed
/// closed with that reason for minutes after access came back. That is an operator's act, not a broker outage.
/// </remarks>
public sealed class BrokerOutageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private MessagingHarness h = null!;

    public async Task InitializeAsync() => h = await MessagingHarness.CreateAsync();

    public async Task DisposeAsync() => await h.DisposeAsync();

    [Fact]
    public async Task Broker_down_in_the_middle_of_a_stream_of_appends_loses_nothing_and_the_outages_orders_arrive_once()
    {
        var outage = TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("LEDGER_TEST_BROKER_OUTAGE_SECONDS"), out var s) ? s : 6);
        await using var observer = await h.Broker.BindQueueAsync("commerce.order.#");
        await using var proxy = new TcpProxy(h.Broker.Uri.Host, h.Broker.Uri.Port);
        await h.StartPublisherAsync(h.Broker.Through(proxy));
        var orders = new TestOrders(h.Db, TestDatabase.NewTenant());
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
        proxy.Cut();
        var cutAt = DateTime.UtcNow;
        var createdBeforeCut = Count(created);
        await Task.Delay(outage); // the outage itself
        var duringOutage = Snapshot(created).Skip(createdBeforeCut).ToList();
        var backlogDuringOutage = (await OutboxInspection.ReadAsync(h.Db.AppDataSource, default)).Lag;
        proxy.Restore();
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
        try
        {
            await Waits.ForShard(h, all.Max(e => e.Position));
            await Waits.ForDistinct(observer, [.. all.Select(e => e.EventId)]);
            await Waits.ForOutboxEmpty(h);
        }
        catch (TimeoutException)
        {
            var state = await OutboxInspection.ReadAsync(h.Db.AppDataSource, default);
            output.WriteLine($"{all.Count} events appended, {observer.Received.DistinctBy(m => m.MessageId).Count()} distinct received; " +
                $"shard at {state.Position} of {state.HighWater}");
            foreach (var line in h.Logs.Lines.Where(l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).TakeLast(40))
                output.WriteLine($"{line.Level}: {line.Message} {line.Error?.GetType().Name}: {line.Error?.Message}");
            throw;
        }
        var received = observer.Received;

        var duplicates = received.Count - received.DistinctBy(m => m.MessageId).Count();
        // Store order across the outage (not guaranteed, docs/wolverine.md "Ordering"): first arrivals that came after a
        // message of a later store position, and the same within one order's stream.
        var position = all.ToDictionary(e => e.EventId.ToString("D"), e => e.Position.Seq);
        var stream = all.ToDictionary(e => e.EventId.ToString("D"), e => e.StreamId);
        var firsts = received.DistinctBy(m => m.MessageId).ToList();
        long highest = 0;
        var late = 0;
        var latestInStream = new Dictionary<string, long>(StringComparer.Ordinal);
        var lateInStream = 0;
        foreach (var m in firsts)
        {
            var p = position[m.MessageId!];
            if (p < highest) late++;
            highest = Math.Max(highest, p);
            var key = stream[m.MessageId!];
            if (latestInStream.TryGetValue(key, out var q) && p < q) lateInStream++;
            latestInStream[key] = Math.Max(p, q);
        }
        output.WriteLine($"outage {outage.TotalSeconds:0}s, {all.Count} events appended ({outageIds.Count} during the outage), {received.Count} messages received " +
            $"({duplicates} duplicates, {received.Count(m => outageIds.Contains(m.MessageId!)) - outageIds.Count} of them of the outage's orders), " +
            $"{late} out of store order ({lateInStream} within a stream), backlog during outage {backlogDuringOutage}, recovered {(DateTime.UtcNow - cutAt).TotalSeconds:0.0}s after the cut");
        duringOutage.Count.ShouldBeGreaterThanOrEqualTo(50, "at least 50 orders were created while the broker was away");
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
}

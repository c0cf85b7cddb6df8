using System.Diagnostics;
using Ledger.Application.Orders;
using Ledger.Domain.Orders;
using Ledger.EventStore;
using Ledger.Messaging.Outbox;
using Ledger.TestSupport;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace Ledger.EndToEnd.Tests.Messaging;

/// <summary>No in-memory Host: the publishers of this test are real <c>ledger serve</c> processes.</summary>
public sealed class ProcessPublisherFixture : MessagingAppFixture
{
    protected override bool InMemoryHost => false;
}

/// <summary>
/// A Host process publishing a backlog is killed (SIGKILL: no shutdown, no flush) mid-stream and another one started:
/// every event reaches the exchange at least once, and deduplicating by message id exactly once. What the dead process
/// had stored in Wolverine's outbox but not had confirmed is sent by the new one once the dead one counts as dead.
/// </summary>
public sealed class PublisherProcessCrashTests(ProcessPublisherFixture app, ITestOutputHelper output) : IClassFixture<ProcessPublisherFixture>
{
    private const int Events = 3000;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_publisher_process_killed_mid_stream_and_a_new_one_started_publish_every_event_once_after_dedup()
    {
        var observer = await app.BindObserverAsync("commerce.order.created.v1");
        var tenant = TestDatabase.NewTenant();
        AppendResult last = null!;
        // Appended before any Host runs (so before any sealer): the store itself, which returns at commit.
        for (var i = 0; i < Events / 100; i++)
            last = await app.Db.EventStore.AppendAsync(tenant, [.. Enumerable.Range(0, 100).Select(_ => NewOrder())]);

        OutboxState atKill;
        using (var doomed = StartPublisherProcess())
        {
            await Eventually.Until(() => QueueDepthAsync(observer), n => n >= 300, Timeout, "the first process to be publishing");
            doomed.Kill(entireProcessTree: true);
            await doomed.WaitForExitAsync();
            atKill = await OutboxInspection.ReadAsync(app.Db.AppDataSource, default);
        }
        var sentBeforeKill = await QueueDepthAsync(observer);
        (atKill.Position < last.LastPosition.Seq).ShouldBeTrue($"killed in the middle of the stream ({atKill})");

        using var successor = StartPublisherProcess();
        try
        {
            await Eventually.Until(() => OutboxInspection.ReadAsync(app.Db.AppDataSource, default),
                s => s.Position >= last.LastPosition.Seq, Timeout, "the second process to finish the stream");
        }
        finally
        {
            successor.Kill(entireProcessTree: true);
        }

        var received = await MessagingAppFixture.DrainAsync(observer);
        var ids = received.Select(m => m.BasicProperties.MessageId).ToList();
        output.WriteLine($"killed at shard position {atKill.Position} of {last.LastPosition.Seq} " +
            $"and {sentBeforeKill} message(s) on the queue; received {ids.Count} messages, {ids.Count - ids.Distinct().Count()} duplicate(s)");
        ids.Count.ShouldBeGreaterThanOrEqualTo(Events);
        ids.Distinct().Count().ShouldBe(Events, "every event exactly once after deduplication");
    }

    private Process StartPublisherProcess()
    {
        var start = app.LedgerProcess("serve");
        start.Environment["Ledger__Messaging__Outbox__BatchSize"] = "100";
        start.Environment["Ledger__Messaging__Consumers__Enabled"] = "false";
        start.RedirectStandardOutput = false;
        start.RedirectStandardError = false;
        return Process.Start(start)!;
    }

    private static async Task<uint> QueueDepthAsync(string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = MessagingAppFixture.BrokerUri }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        return await channel.MessageCountAsync(queue);
    }

    private static StreamAppend NewOrder()
    {
        var id = Guid.CreateVersion7();
        var now = DateTimeOffset.UtcNow;
        var encoded = OrderEventCodec.Encode(new OrderCreated(id, "cust-1", "EUR", [new OrderLine("SKU-1", "Widget", 1, 10.00m)], 10.00m, now, null));
        return new StreamAppend(OrderStreams.For(id), ExpectedVersion.NoStream,
            [new EventToAppend(Guid.CreateVersion7(), encoded.EventType, encoded.TypeVersion, now, encoded.Data, new EventMetadata("crash-test", null, "test", null, "test"))]);
    }
}

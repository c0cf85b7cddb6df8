using System.Diagnostics;
using Ledger.Application.Orders;
using Ledger.Domain.Orders;
using Ledger.EventStore;
using Ledger.Messaging.Relay;
using Ledger.TestSupport;
using RabbitMQ.Client;

namespace Ledger.EndToEnd.Tests.Messaging;

/// <summary>The fixture's in-memory Host does not relay: the relays of this test are real <c>ledger serve</c> processes.</summary>
public sealed class ProcessRelayFixture : MessagingAppFixture
{
    protected override bool RelayInMemoryHost => false;
}

/// <summary>
/// A Host process relaying a backlog is killed (SIGKILL: no shutdown, no flush) mid-stream and another one
/// started: every event reaches the exchange at least once, and deduplicating by message id exactly once.
/// </summary>
public sealed class RelayProcessCrashTests(ProcessRelayFixture app) : IClassFixture<ProcessRelayFixture>
{
    private const int Events = 3000;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_relay_process_killed_mid_stream_and_a_new_one_started_publish_every_event_once_after_dedup()
    {
        var observer = await app.BindObserverAsync("commerce.order.created.v1");
        var tenant = TestDatabase.NewTenant();
        AppendResult last = null!;
        for (var i = 0; i < Events / 100; i++)
            last = await app.Db.Store.AppendAsync(tenant, [.. Enumerable.Range(0, 100).Select(_ => NewOrder())]);
        var checkpoints = new RelayCheckpoints(app.Db.AppDataSource);

        using (var doomed = StartRelayProcess())
        {
            await Eventually.Until(() => QueueDepthAsync(observer), n => n >= 300, Timeout, "the first process to be publishing");
            doomed.Kill(entireProcessTree: true);
            await doomed.WaitForExitAsync();
        }
        var atKill = (await checkpoints.FindAsync("relay", default))?.Position ?? GlobalPosition.Start;
        atKill.ShouldBeLessThan(last.LastPosition, "killed in the middle of the stream");

        using var successor = StartRelayProcess();
        try
        {
            await Eventually.Until(async () => (await checkpoints.FindAsync("relay", default))?.Position ?? GlobalPosition.Start,
                p => p >= last.LastPosition, Timeout, "the second process to finish the stream");
        }
        finally
        {
            successor.Kill(entireProcessTree: true);
        }

        var received = await MessagingAppFixture.DrainAsync(observer);
        var ids = received.Select(m => m.BasicProperties.MessageId).ToList();
        ids.Count.ShouldBeGreaterThanOrEqualTo(Events);
        ids.Distinct().Count().ShouldBe(Events, "every event exactly once after deduplication");
    }

    private Process StartRelayProcess()
    {
        var start = app.LedgerProcess("serve");
        start.Environment["Ledger__Messaging__Relay__Enabled"] = "true";
        start.Environment["Ledger__Messaging__Relay__BatchSize"] = "100";
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

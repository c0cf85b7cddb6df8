using Ledger.Messaging.Broker;
using Ledger.Messaging.Consumers;
using Ledger.Messaging.DeadLetters;
using Ledger.TestSupport;

namespace Ledger.Messaging.Tests.Infrastructure;

/// <summary>A running payments consumer on a harness, with the tenant's orders and the consumer's dead letters.</summary>
public sealed class PaymentsScenario
{
    private PaymentsScenario(MessagingHarness harness, Running consumer)
    {
        Harness = harness;
        Consumer = consumer;
        Orders = new TestOrders(harness.Db.Store, TestDatabase.NewTenant());
        Queues = ConsumerQueues.For(PaymentsHandler.Consumer, harness.Broker.Settings);
    }

    public MessagingHarness Harness { get; }

    public Running Consumer { get; }

    public TestOrders Orders { get; }

    public ConsumerQueues Queues { get; }

    public static async Task<PaymentsScenario> StartAsync(MessagingHarness harness, IMessageHandler? handler = null, Npgsql.NpgsqlDataSource? dataSource = null,
        Action? committed = null)
    {
        var running = harness.StartConsumer(PaymentsHandler.Definition(handler ?? new PaymentsHandler(TimeProvider.System, harness.Db.EventStore)) with { Committed = committed }, dataSource);
        var consumer = (MessageConsumer)running.Component;
        // Until its queue is declared and bound, the gateway's messages would be unroutable.
        await Eventually.Until(() => Task.FromResult(consumer.IsConsuming), c => c, Waits.Timeout, "the payments consumer to consume");
        return new PaymentsScenario(harness, running);
    }

    public async Task<Guid> AwaitingPaymentAsync()
    {
        var id = await Orders.CreateAsync();
        await Orders.RequestPaymentAsync(id);
        return id;
    }

    public Task SendAsync(string type, byte[] body, Guid? messageId = null, IDictionary<string, object?>? headers = null) =>
        Harness.Broker.PublishAsync(type, body, messageId?.ToString("D"), type, headers);

    public DeadLetterQueues DeadLetters(BrokerConnection connection) => new(connection, [Queues]);

    public Task<bool> AppliedAsync(Guid messageId) =>
        Inbox.ContainsAsync(Harness.Db.AppDataSource, Orders.Tenant, PaymentsHandler.Consumer, messageId.ToString("D"));

    public async Task<int> CountAsync(Guid orderId, string eventType) =>
        (await Orders.EventsAsync(orderId)).Count(e => e.EventType == eventType);

    public Task WaitForLogAsync(string fragment, int count = 1) =>
        Eventually.Until(() => Task.FromResult(Harness.Logs.Lines.Count(l => l.Message.Contains(fragment, StringComparison.Ordinal))),
            n => n >= count, Waits.Timeout, $"{count} log line(s) containing '{fragment}'");
}

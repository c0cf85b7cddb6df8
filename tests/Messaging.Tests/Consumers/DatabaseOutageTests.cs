using Ledger.Application.Orders;
using Ledger.Messaging.Tests.Infrastructure;
using Ledger.TestSupport;
using Npgsql;

namespace Ledger.Messaging.Tests.Consumers;

/// <summary>
/// The consumer's database goes away while a payment arrives. The delivery is never acked unapplied: it waits in
/// the outage delay queue, without using up its attempts (so it does not land in the dead-letter queue however
/// long the outage lasts), and is applied once the database is back.
/// </summary>
public sealed class DatabaseOutageTests : IAsyncLifetime
{
    private MessagingHarness h = null!;

    public async Task InitializeAsync() => h = await MessagingHarness.CreateAsync();

    public async Task DisposeAsync() => await h.DisposeAsync();

    [Fact]
    public async Task A_payment_arriving_while_the_database_is_down_is_retried_and_applied_once_it_is_back()
    {
        h.Broker.Settings.Consumers.MaxAttempts = 2;
        var target = new NpgsqlConnectionStringBuilder(h.Db.AppConnectionString);
        await using var proxy = new TcpProxy(target.Host!, target.Port);
        await using var throughProxy = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(h.Db.AppConnectionString)
        {
            Host = "127.0.0.1", Port = proxy.Port, Timeout = 2, Pooling = true,
        }.ConnectionString);
        var payments = await PaymentsScenario.StartAsync(h, dataSource: throughProxy);
        var order = await payments.AwaitingPaymentAsync();
        var message = Guid.NewGuid();

        proxy.Cut();
        await payments.SendAsync("payments.payment.confirmed.v1", payments.Orders.PaymentConfirmed(order, message), message);
        await payments.WaitForLogAsync($"failed message {message:D}", count: 3); // more outage retries than MaxAttempts
        proxy.Restore();

        await Eventually.Until(() => payments.AppliedAsync(message), applied => applied, Waits.Timeout, "the payment after the outage");
        (await payments.CountAsync(order, OrderEventCodec.Paid)).ShouldBe(1);
        (await h.Broker.CountAsync(payments.Queues.DeadLetters)).ShouldBe(0u);
        h.Logs.Lines.Where(l => l.Message.Contains($"failed message {message:D}", StringComparison.Ordinal))
            .ShouldAllBe(l => l.Message.Contains("(Outage)", StringComparison.Ordinal) && l.Message.Contains("attempt 1 of 2", StringComparison.Ordinal));
    }
}

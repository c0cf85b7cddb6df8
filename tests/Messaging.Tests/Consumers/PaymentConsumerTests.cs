using Ledger.Application.Orders;
using Ledger.Messaging.Tests.Infrastructure;
using Ledger.TestSupport;

namespace Ledger.Messaging.Tests.Consumers;

public sealed class PaymentConsumerTests : IAsyncLifetime
{
    private const string Confirmed = "payments.payment.confirmed.v1";
    private MessagingHarness h = null!;

    public async Task InitializeAsync() => h = await MessagingHarness.CreateAsync();

    public async Task DisposeAsync() => await h.DisposeAsync();

    [Fact]
    public async Task The_same_payment_confirmation_delivered_twice_pays_the_order_once()
    {
        var payments = await PaymentsScenario.StartAsync(h);
        var order = await payments.AwaitingPaymentAsync();
        var message = Guid.NewGuid();
        var body = payments.Orders.PaymentConfirmed(order, message);

        await payments.SendAsync(Confirmed, body, message);
        await payments.SendAsync(Confirmed, body, message);
        await payments.WaitForLogAsync($"already applied message {message:D}");

        (await payments.AppliedAsync(message)).ShouldBeTrue();
        (await payments.CountAsync(order, OrderEventCodec.Paid)).ShouldBe(1);
        var paid = (await payments.Orders.EventsAsync(order)).Single(e => e.EventType == OrderEventCodec.Paid);
        paid.Metadata.CausationId.ShouldBe(message.ToString("D"));
        paid.Metadata.Origin.ShouldBe("rabbitmq");
        paid.Metadata.Actor.ShouldBe("payments-gateway");
        paid.Metadata.TraceId.ShouldBe(TestOrders.TraceId);

        // A second message for the same payment (another id, same reference) is recognised by the order itself.
        var again = Guid.NewGuid();
        await payments.SendAsync(Confirmed, payments.Orders.PaymentConfirmed(order, again), again);
        await Eventually.Until(() => payments.AppliedAsync(again), applied => applied, Waits.Timeout, "the second confirmation");
        (await payments.CountAsync(order, OrderEventCodec.Paid)).ShouldBe(1);
    }

    [Fact]
    public async Task Each_applied_delivery_wakes_the_readers_once_after_its_commit_and_a_duplicate_does_not()
    {
        var commits = 0;
        var appliedAtPulse = new List<bool>();
        PaymentsScenario payments = null!;
        var message = Guid.NewGuid();
        payments = await PaymentsScenario.StartAsync(h, committed: () =>
        {
            Interlocked.Increment(ref commits);
            // After the commit: a reader woken now must find the order paid.
            lock (appliedAtPulse) appliedAtPulse.Add(payments.AppliedAsync(message).GetAwaiter().GetResult());
        });
        var order = await payments.AwaitingPaymentAsync();
        var body = payments.Orders.PaymentConfirmed(order, message);

        await payments.SendAsync(Confirmed, body, message);
        await payments.SendAsync(Confirmed, body, message);
        await payments.WaitForLogAsync($"already applied message {message:D}");

        commits.ShouldBe(1);
        appliedAtPulse.ShouldBe([true]);
    }

    [Fact]
    public async Task A_consumer_that_fails_transiently_twice_then_succeeds_applies_once_and_logs_the_retries()
    {
        var flaky = new FlakyHandler(new PaymentsHandler(TimeProvider.System, h.Db.EventStore), failures: 2);
        var payments = await PaymentsScenario.StartAsync(h, flaky);
        var order = await payments.AwaitingPaymentAsync();
        var message = Guid.NewGuid();

        await payments.SendAsync(Confirmed, payments.Orders.PaymentConfirmed(order, message), message);
        await Eventually.Until(() => payments.AppliedAsync(message), applied => applied, Waits.Timeout, "the payment to be applied");

        flaky.Attempts.ShouldBe([1, 2, 3]);
        (await payments.CountAsync(order, OrderEventCodec.Paid)).ShouldBe(1);
        var retries = h.Logs.Lines.Where(l => l.Message.Contains($"failed message {message:D}", StringComparison.Ordinal)).ToList();
        retries.Count.ShouldBe(2);
        retries[0].Message.ShouldContain("on attempt 1 of 5");
        retries[1].Message.ShouldContain("on attempt 2 of 5");
        retries.ShouldAllBe(l => l.Error is TimeoutException);
        (await h.Broker.CountAsync(payments.Queues.DeadLetters)).ShouldBe(0u);
    }

    [Fact]
    public async Task A_consumer_that_keeps_failing_transiently_dead_letters_the_message_after_its_last_attempt()
    {
        h.Broker.Settings.Consumers.MaxAttempts = 3;
        var flaky = new FlakyHandler(new PaymentsHandler(TimeProvider.System, h.Db.EventStore), failures: int.MaxValue);
        var payments = await PaymentsScenario.StartAsync(h, flaky);
        var order = await payments.AwaitingPaymentAsync();
        var message = Guid.NewGuid();

        await payments.SendAsync(Confirmed, payments.Orders.PaymentConfirmed(order, message), message);
        await using var connection = h.Broker.Connect();
        var letters = await Eventually.Until(() => payments.DeadLetters(connection).ListAsync(null, 10, default), l => l.Count == 1, Waits.Timeout, "a dead letter");

        flaky.Attempts.ShouldBe([1, 2, 3]);
        letters[0].Attempts.ShouldBe(3);
        letters[0].ErrorType.ShouldBe(typeof(TimeoutException).FullName);
        (await payments.AppliedAsync(message)).ShouldBeFalse();
        (await payments.CountAsync(order, OrderEventCodec.Paid)).ShouldBe(0);
    }
}

using System.Text;
using Ledger.Application.Orders;
using Ledger.Messaging.Broker;
using Ledger.Messaging.Tests.Infrastructure;
using Ledger.TestSupport;

namespace Ledger.Messaging.Tests.DeadLetters;

public sealed class DeadLetterTests : IAsyncLifetime
{
    private const string Confirmed = "payments.payment.confirmed.v1";
    private MessagingHarness h = null!;
    private BrokerConnection operatorConnection = null!;

    public async Task InitializeAsync()
    {
        h = await MessagingHarness.CreateAsync();
        operatorConnection = h.Broker.Connect();
    }

    public async Task DisposeAsync()
    {
        await operatorConnection.DisposeAsync();
        await h.DisposeAsync();
    }

    [Fact]
    public async Task A_domain_refusal_goes_to_the_dead_letter_queue_at_once_with_its_reason()
    {
        var payments = await PaymentsScenario.StartAsync(h);
        var order = await payments.Orders.CreateAsync(); // no payment requested yet: the order refuses payment
        var message = Guid.NewGuid();

        await payments.SendAsync(Confirmed, payments.Orders.PaymentConfirmed(order, message), message);
        var letter = (await WaitForDeadLetters(payments, 1)).Single();

        letter.MessageId.ShouldBe(message.ToString("D"));
        letter.MessageType.ShouldBe(Confirmed);
        letter.ErrorType.ShouldBe("Ledger.Domain.DomainError");
        letter.ErrorCode.ShouldBe("order.payment_not_requested");
        letter.ErrorMessage!.ShouldContain("has no payment request outstanding");
        letter.Attempts.ShouldBe(1);
        DateTimeOffset.Parse(letter.FailedAt!, System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(-5));
        letter.OriginalQueue.ShouldBe(payments.Queues.Main);
        (await payments.AppliedAsync(message)).ShouldBeFalse();
        await payments.WaitForLogAsync($"dead-lettered message {message:D}");
        await Eventually.Until(() => Task.FromResult(h.Metrics.DeadLetterSizes.GetValueOrDefault("payments")), n => n == 1, Waits.Timeout, "the DLQ size metric");
    }

    [Fact]
    public async Task Invalid_json_schema_violations_and_a_foreign_tenant_are_dead_lettered_without_retries()
    {
        var payments = await PaymentsScenario.StartAsync(h);
        var order = await payments.AwaitingPaymentAsync();
        var (garbage, numberAmount, foreign) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());

        await payments.SendAsync(Confirmed, Encoding.UTF8.GetBytes("{not json"), garbage);
        await payments.SendAsync(Confirmed, payments.Orders.Envelope(numberAmount, "payments.payment.confirmed",
            new { tenant_id = payments.Orders.Tenant, order_id = order, amount = 25.00, payment_reference = "psp-9" }), numberAmount);
        await payments.SendAsync(Confirmed, payments.Orders.PaymentConfirmed(order, foreign, payloadTenant: "someone-else"), foreign);
        var letters = await WaitForDeadLetters(payments, 3);

        letters.Single(l => l.MessageId == garbage.ToString("D")).ErrorCode.ShouldBe("invalid_json");
        var schema = letters.Single(l => l.MessageId == numberAmount.ToString("D"));
        schema.ErrorCode.ShouldBe("schema_violation");
        schema.ErrorMessage!.ShouldContain("amount");
        letters.Single(l => l.MessageId == foreign.ToString("D")).ErrorCode.ShouldBe("payment.tenant_mismatch");
        letters.ShouldAllBe(l => l.Attempts == 1);
        (await payments.CountAsync(order, OrderEventCodec.Paid)).ShouldBe(0);
    }

    [Fact]
    public async Task Replay_after_the_cause_is_fixed_applies_once_and_replaying_an_applied_message_changes_nothing()
    {
        var payments = await PaymentsScenario.StartAsync(h);
        var order = await payments.Orders.CreateAsync();
        var message = Guid.NewGuid();
        var body = payments.Orders.PaymentConfirmed(order, message);
        await payments.SendAsync(Confirmed, body, message);
        await WaitForDeadLetters(payments, 1);

        await payments.Orders.RequestPaymentAsync(order); // the cause, fixed
        var dlq = payments.DeadLetters(operatorConnection);
        (await dlq.ReplayAsync(message.ToString("D"), null, default)).Count.ShouldBe(1);
        await Eventually.Until(() => payments.AppliedAsync(message), applied => applied, Waits.Timeout, "the replayed payment");
        (await payments.CountAsync(order, OrderEventCodec.Paid)).ShouldBe(1);
        (await dlq.ListAsync(null, 10, default)).ShouldBeEmpty();
        (await dlq.ReplayAsync(null, null, default)).ShouldBeEmpty();

        // A dead letter whose effect already happened (a redelivered copy got through meanwhile): replaying it is harmless.
        await h.Broker.PublishToQueueAsync(payments.Queues.DeadLetters, body, message.ToString("D"), Confirmed);
        (await dlq.ReplayAsync(null, null, default)).Count.ShouldBe(1);
        await payments.WaitForLogAsync($"already applied message {message:D}");
        (await payments.CountAsync(order, OrderEventCodec.Paid)).ShouldBe(1);
        (await dlq.ListAsync(null, 10, default)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Listing_hands_every_message_back_and_purge_empties_the_queue()
    {
        var payments = await PaymentsScenario.StartAsync(h);
        var order = await payments.Orders.CreateAsync();
        var ids = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };
        foreach (var id in ids) await payments.SendAsync(Confirmed, payments.Orders.PaymentConfirmed(order, id), id);
        await WaitForDeadLetters(payments, 3);
        var dlq = payments.DeadLetters(operatorConnection);

        (await dlq.ListAsync(null, 10, default)).Count.ShouldBe(3);
        (await dlq.ListAsync(null, 2, default)).Count.ShouldBe(2);
        (await dlq.FindAsync(ids[1].ToString("D"), "payments", default))!.Body.ShouldContain(order.ToString("D"));
        (await dlq.CountsAsync(default))["payments"].ShouldBe(3u);

        (await dlq.PurgeAsync(null, default))["payments"].ShouldBe(3u);
        (await dlq.ListAsync(null, 10, default)).ShouldBeEmpty();
        await Should.ThrowAsync<ArgumentException>(() => dlq.ListAsync("nobody", 10, default));
    }

    private async Task<IReadOnlyList<Messaging.DeadLetters.DeadLetter>> WaitForDeadLetters(PaymentsScenario payments, int count) =>
        await Eventually.Until(() => payments.DeadLetters(operatorConnection).ListAsync(null, 100, default), l => l.Count >= count, Waits.Timeout, $"{count} dead letters");
}

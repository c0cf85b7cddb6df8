using System.Text;
using Ledger.Application.Audit;
using Ledger.Application.Orders;
using Ledger.Host.Messaging.Inbound;
using Ledger.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.EndToEnd.Tests.Messaging;

/// <summary>
/// The payment gateway's results through the Host's Wolverine listener on <c>ledger.payments</c>, against the real
/// RabbitMQ and PostgreSQL: applied once per message id, every command audited, refusals and unreadable messages
/// dead-lettered at once with their code, transient failures retried with a cooldown and then dead-lettered with the
/// error, dead letters replayed through the inbox.
/// </summary>
public sealed class InboundConsumerTests(MessagingAppFixture app) : IClassFixture<MessagingAppFixture>
{
    [Fact]
    public async Task A_payment_confirmation_delivered_twice_under_one_message_id_pays_once_with_one_audit_entry()
    {
        var gateway = new Inbound(app);
        var order = await gateway.AwaitingPaymentAsync();
        var message = Guid.NewGuid();

        await gateway.ConfirmAsync(message, order);
        await gateway.ConfirmAsync(message, order);
        await gateway.WaitPaidAsync(order);
        // A later message of the same gateway, applied after both copies were received (one queue, in order).
        var sentinelOrder = await gateway.AwaitingPaymentAsync();
        await gateway.ConfirmAsync(Guid.NewGuid(), sentinelOrder);
        await gateway.WaitPaidAsync(sentinelOrder);

        (await gateway.PaidCountAsync(order)).ShouldBe(1);
        (await gateway.InboxStatusAsync(message)).ShouldBe("Handled");
        var paid = (await gateway.Clerk.EventsAsync(order)).Single(e => e.EventType == OrderEventCodec.Paid);
        paid.Metadata.CausationId.ShouldBe(message.ToString("D"));
        paid.Metadata.Origin.ShouldBe("rabbitmq");
        paid.Metadata.Actor.ShouldBe("payments-gateway");
        var audit = (await gateway.MessageAuditAsync(order)).ShouldHaveSingleItem();
        audit.Entry.Action.ShouldBe("CONSUME payments.payment.confirmed.v1");
        audit.Entry.Result.ShouldBe(AuditResult.Success);
        audit.Entry.Streams!.ShouldHaveSingleItem().ShouldBe(new AuditedStream(OrderStreams.For(order), paid.StreamVersion));
        audit.Event.Metadata.CausationId.ShouldBe(message.ToString("D"));

        // Another message for the same payment (another id, same reference) is recognised by the order itself.
        var again = Guid.NewGuid();
        await gateway.ConfirmAsync(again, order);
        await Eventually.Until(() => gateway.InboxStatusAsync(again), s => s == "Handled", Inbound.Timeout, "the second confirmation");
        (await gateway.PaidCountAsync(order)).ShouldBe(1);
        (await gateway.MessageAuditAsync(order)).Count.ShouldBe(2, "one entry per command, accepted without an event the second time");
    }

    [Fact]
    public async Task A_refused_payment_is_dead_lettered_at_once_with_its_code_and_leaves_a_failure_audit_entry()
    {
        var gateway = new Inbound(app);
        var order = await gateway.Clerk.CreateAsync(); // no payment requested: the order refuses a payment
        var message = Guid.NewGuid();

        await gateway.ConfirmAsync(message, order);
        var letter = (await gateway.WaitForDeadLettersAsync(l => l.MessageId == message.ToString("D"), 1)).Single();

        letter.Consumer.ShouldBe("payments");
        letter.MessageType.ShouldBe(Inbound.Confirmed);
        letter.ErrorType.ShouldBe("Ledger.Domain.DomainError");
        letter.ErrorCode.ShouldBe("order.payment_not_requested");
        letter.ErrorMessage!.ShouldContain("has no payment request outstanding");
        letter.Attempts.ShouldBe(1);
        letter.FailedAt!.Value.ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(-5));
        letter.OriginalQueue.ShouldBe(app.QueuePrefix + "payments");
        letter.Body.ShouldContain(order.ToString("D"));
        (await gateway.PaidCountAsync(order)).ShouldBe(0);
        var audit = (await gateway.MessageAuditAsync(order)).ShouldHaveSingleItem();
        audit.Entry.Result.ShouldBe(AuditResult.Failure);
        audit.Entry.Code.ShouldBe("order.payment_not_requested");
        audit.Entry.Streams.ShouldBeNull();
        var metrics = app.Host.Services.GetRequiredService<Ledger.Messaging.Diagnostics.MessagingMetrics>();
        await Eventually.Until(() => Task.FromResult(metrics.DeadLetterSizes.GetValueOrDefault("payments")), n => n >= 1, Inbound.Timeout,
            "the dead-letter size gauge");
    }

    [Fact]
    public async Task Invalid_json_a_schema_violation_a_foreign_tenant_and_a_mismatched_message_id_are_dead_lettered_without_retries()
    {
        var gateway = new Inbound(app);
        var order = await gateway.AwaitingPaymentAsync();
        var (garbage, numberAmount, foreign, mismatched) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());

        await app.WaitForConsumerAsync();
        await app.PublishRawAsync(Inbound.Confirmed, garbage.ToString("D"), Encoding.UTF8.GetBytes("{not json"));
        await gateway.ConfirmAsync(numberAmount, order, amount: 25.00);
        await gateway.ConfirmAsync(foreign, order, payloadTenant: "someone-else");
        // The inbox deduplicates by message id, which the contract makes the event id: a message whose two differ is refused.
        await app.PublishRawAsync(Inbound.Confirmed, mismatched.ToString("D"), MessagingAppFixture.Body(Guid.NewGuid(), gateway.Tenant,
            "payments.payment.confirmed", new { tenant_id = gateway.Tenant, order_id = order, amount = "25.00", payment_reference = "psp-x" }));
        var ids = new[] { garbage, numberAmount, foreign, mismatched }.Select(g => g.ToString("D")).ToHashSet();
        var letters = await gateway.WaitForDeadLettersAsync(l => ids.Contains(l.MessageId), 4);

        letters.Single(l => l.MessageId == garbage.ToString("D")).ErrorCode.ShouldBe("invalid_json");
        var schema = letters.Single(l => l.MessageId == numberAmount.ToString("D"));
        schema.ErrorCode.ShouldBe("schema_violation");
        schema.ErrorMessage!.ShouldContain("amount");
        letters.Single(l => l.MessageId == foreign.ToString("D")).ErrorCode.ShouldBe("payment.tenant_mismatch");
        letters.Single(l => l.MessageId == mismatched.ToString("D")).ErrorCode.ShouldBe("invalid_message_id");
        letters.ShouldAllBe(l => l.Attempts <= 1);
        (await gateway.PaidCountAsync(order)).ShouldBe(0);
    }

    [Fact]
    public async Task Payments_racing_over_http_and_rabbitmq_pay_once_and_every_message_is_handled_at_its_first_attempt()
    {
        var gateway = new Inbound(app);
        var order = await gateway.AwaitingPaymentAsync();
        var reference = "psp-" + order.ToString("N")[..6]; // the reference the gateway's confirmations carry
        var messages = Enumerable.Range(0, 12).Select(_ => Guid.NewGuid()).ToList();

        using var start = new SemaphoreSlim(0);
        var published = messages.Select(async m => { await start.WaitAsync(); await gateway.ConfirmAsync(m, order); }).ToList();
        var posted = Enumerable.Range(0, 12).Select(async _ =>
        {
            await start.WaitAsync();
            using var response = await gateway.Clerk.PostAsync($"/api/orders/{order}/payments",
                $$"""{"amount":"25.00","payment_reference":"{{reference}}"}""");
            return response.StatusCode;
        }).ToList();
        start.Release(published.Count + posted.Count);
        await Task.WhenAll(published);
        (await Task.WhenAll(posted)).ShouldAllBe(s => s == System.Net.HttpStatusCode.OK, "a replay of the payment is accepted unchanged");

        foreach (var message in messages)
            await Eventually.Until(() => gateway.InboxStatusAsync(message), s => s == "Handled", Inbound.Timeout, $"message {message}");
        (await gateway.PaidCountAsync(order)).ShouldBe(1);
        var audit = await gateway.MessageAuditAsync(order);
        audit.Count.ShouldBe(messages.Count, "one entry per message, none for a lost race");
        audit.ShouldAllBe(a => a.Entry.Result == AuditResult.Success);
        (await PaymentDeadLettersOf(order)).Select(l => $"{l.ErrorCode} {l.ErrorType} {l.ErrorMessage}").ShouldBeEmpty();
        // The message's transaction locks the order's audit stream before reading the order: it never loses a race.
        await using var attempts = app.Db.AppDataSource.CreateCommand("SELECT max(attempts) FROM wolverine_incoming_envelopes WHERE id = ANY($1)");
        attempts.Parameters.Add(new() { Value = messages.ToArray() });
        ((int)(await attempts.ExecuteScalarAsync())!).ShouldBeLessThanOrEqualTo(1);
    }

    private async Task<IReadOnlyList<DeadLetter>> PaymentDeadLettersOf(Guid order) =>
        [.. (await new Inbound(app).DeadLetters.ListAsync(null, 1000, default)).Where(l => l.Consumer == "payments" && l.Body.Contains(order.ToString("D"), StringComparison.Ordinal))];
}

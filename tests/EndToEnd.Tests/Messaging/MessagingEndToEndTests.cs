using System.Net;
using System.Text;
using Ledger.Application.Orders;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Messaging.Contracts;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests.Messaging;

/// <summary>Through the whole Host: HTTP commands out as integration events, the payment gateway's results in.</summary>
public sealed class MessagingEndToEndTests(MessagingAppFixture app) : IClassFixture<MessagingAppFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Create_pay_through_the_gateway_and_fulfil_publishes_one_message_per_event_in_order_each_valid()
    {
        var observer = await app.BindObserverAsync("commerce.order.#");
        var tenant = TestDatabase.NewTenant();
        var clerk = new OrderApi(app.Client(), app.Tokens.For(tenant, "clerk"), tenant, app.Db.Store);
        var order = await clerk.CreateAsync();
        (await clerk.PostAsync($"/api/orders/{order}/payment-requests")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var payment = Guid.NewGuid();
        await PublishPaymentAsync(payment, tenant, order);
        await Eventually.Until(() => clerk.EventsAsync(order), e => e.Any(x => x.EventType == OrderEventCodec.Paid), Timeout, "the gateway's payment");
        (await clerk.PostAsync($"/api/orders/{order}/fulfilment")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var events = await clerk.EventsAsync(order);

        var received = new List<RabbitMQ.Client.BasicGetResult>();
        await Eventually.Until(async () => { received.AddRange(await MessagingAppFixture.DrainAsync(observer)); return received.Count; },
            n => n >= events.Count, Timeout, "every order event on the observer queue");

        var schemas = await ContractSchemas.EmbeddedAsync();
        received.Select(m => m.BasicProperties.MessageId).ShouldBe(events.Select(e => e.EventId.ToString("D")));
        received.Select(m => m.RoutingKey).ShouldBe(
            ["commerce.order.created.v1", "commerce.order.payment_requested.v1", "commerce.order.paid.v1", "commerce.order.fulfilled.v1"]);
        foreach (var message in received)
            schemas.Validate(message.RoutingKey, Encoding.UTF8.GetString(message.Body.Span)).ShouldBeEmpty();
        var paid = events.Single(e => e.EventType == OrderEventCodec.Paid);
        paid.Metadata.CausationId.ShouldBe(payment.ToString("D"));
        paid.Metadata.Origin.ShouldBe("rabbitmq");
        Encoding.UTF8.GetString(received[0].Body.Span).ShouldNotContain("Ada Lovelace");
    }

    [Fact]
    public async Task Ledger_dlq_and_outbox_commands_list_show_replay_and_purge_dead_letters()
    {
        var tenant = TestDatabase.NewTenant();
        var clerk = new OrderApi(app.Client(), app.Tokens.For(tenant, "clerk"), tenant, app.Db.Store);
        var order = await clerk.CreateAsync();
        var early = Guid.NewGuid();
        await PublishPaymentAsync(early, tenant, order); // before any payment request: the order refuses it

        var list = await Eventually.Until(() => app.RunLedgerAsync("dlq", "list"), r => r.Stdout.Contains(early.ToString("D"), StringComparison.Ordinal), Timeout, "the dead letter");
        list.ExitCode.ShouldBe(0, list.Stderr);
        list.Stdout.ShouldContain("order.payment_not_requested");
        var show = await app.RunLedgerAsync("dlq", "show", early.ToString("D"));
        show.ExitCode.ShouldBe(0, show.Stderr);
        show.Stdout.ShouldContain("error type:     Ledger.Domain.DomainError");
        show.Stdout.ShouldContain($"original queue: {app.QueuePrefix}payments");

        (await clerk.PostAsync($"/api/orders/{order}/payment-requests")).StatusCode.ShouldBe(HttpStatusCode.OK); // the cause, fixed
        var replay = await app.RunLedgerAsync("dlq", "replay", early.ToString("D"));
        replay.ExitCode.ShouldBe(0, replay.Stderr);
        replay.Stdout.ShouldContain("1 message(s) replayed");
        await Eventually.Until(() => clerk.EventsAsync(order), e => e.Any(x => x.EventType == OrderEventCodec.Paid), Timeout, "the replayed payment");
        (await app.RunLedgerAsync("dlq", "replay", early.ToString("D"))).ExitCode.ShouldBe(1, "it is no longer there");
        (await clerk.EventsAsync(order)).Count(e => e.EventType == OrderEventCodec.Paid).ShouldBe(1);

        var foreign = Guid.NewGuid();
        await PublishPaymentAsync(foreign, tenant, order, payloadTenant: "another-tenant");
        await Eventually.Until(() => app.RunLedgerAsync("dlq", "list", "--consumer", "payments"), r => r.Stdout.Contains(foreign.ToString("D"), StringComparison.Ordinal), Timeout, "a second dead letter");
        (await app.RunLedgerAsync("dlq", "purge")).ExitCode.ShouldBe(2, "purging needs --yes");
        var purge = await app.RunLedgerAsync("dlq", "purge", "--yes");
        purge.ExitCode.ShouldBe(0, purge.Stderr);
        purge.Stdout.ShouldContain("purged 1 message(s) from payments");

        var status = await app.RunLedgerAsync("outbox", "status");
        status.ExitCode.ShouldBe(0, status.Stderr);
        status.Stdout.ShouldContain("shard:    ledger_outbox:All");
        status.Stdout.ShouldContain("broker:   reachable");
        status.Stdout.ShouldMatch(@"position: [1-9]\d* of \d+ \(moved ");
        status.Stdout.ShouldMatch(@"lag:      \d+ event\(s\)");
        status.Stdout.ShouldMatch(@"lag:      \d+ event\(s\) not yet passed");
    }

    private async Task PublishPaymentAsync(Guid messageId, string tenant, Guid order, string? payloadTenant = null)
    {
        await app.WaitForConsumerAsync();
        await app.PublishAsync("payments.payment.confirmed.v1", messageId, tenant, "payments.payment.confirmed",
            new { tenant_id = payloadTenant ?? tenant, order_id = order, amount = "25.00", payment_reference = "psp-" + messageId.ToString("N")[..6] });
    }
}

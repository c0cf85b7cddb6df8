using System.Diagnostics;
using System.Net;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.Messaging.Outbox;
using Ledger.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit.Abstractions;

namespace Ledger.EndToEnd.Tests.Messaging;

/// <summary>No Host of the fixture's own: the one Host of the test reaches the broker through a proxy the test cuts.</summary>
public sealed class BrokerStartFixture : MessagingAppFixture
{
    protected override bool InMemoryHost => false;
}

/// <summary>
/// A Host started while its broker does not answer (its connection goes through a cut <see cref="TcpProxy"/>; the
/// broker itself stays up for the test's own observer and publisher): it starts within seconds, is ready with
/// messaging Degraded, and takes orders; once the broker answers, Wolverine's RabbitMQ transport starts, every order
/// created meanwhile is published (at least once, deduplicated by message_id), and the payments listener consumes the
/// gateway's messages.
/// </summary>
public sealed class BrokerStartTests(BrokerStartFixture app, ITestOutputHelper output) : IClassFixture<BrokerStartFixture>
{
    private const int Orders = 20;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_host_started_without_its_broker_serves_and_publishes_everything_once_the_broker_answers()
    {
        var observer = await app.BindObserverAsync("commerce.order.created.v1");
        await using var proxy = new TcpProxy(MessagingAppFixture.BrokerUri.Host, MessagingAppFixture.BrokerUri.Port);
        proxy.Cut();
        var proxied = new UriBuilder(MessagingAppFixture.BrokerUri) { Host = "127.0.0.1", Port = proxy.Port }.Uri;

        var started = Stopwatch.StartNew();
        await using var host = await InMemoryHost.StartAsync(app.Settings, h => h.ConfigureAppConfiguration((_, c) =>
            c.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:RabbitMq"] = proxied.ToString(),
                ["Ledger:Messaging:BrokerRetryInterval"] = "00:00:00.200",
            })));
        output.WriteLine($"started without the broker in {started.Elapsed.TotalSeconds:F1} s");
        started.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(20), "Wolverine's 2 minutes of broker retries are not waited out");
        proxy.Refused.ShouldBeGreaterThan(0, "the host tried the broker");

        var client = host.Client();
        using (var ready = await client.GetAsync("/health/ready"))
        {
            ready.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await ready.Content.ReadAsStringAsync()).ShouldBe("Degraded");
        }
        var messaging = (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Name == "messaging")).Entries["messaging"];
        messaging.Status.ShouldBe(HealthStatus.Degraded);
        messaging.Description!.ShouldContain("has not answered since this host started");

        var tenant = TestDatabase.NewTenant();
        var tokens = new TestTokens(host.Services.GetRequiredService<LedgerSigningKeys>(), MessagingAppFixture.Issuer, MessagingAppFixture.Audience);
        var clerk = new OrderApi(client, tokens.For(tenant, "clerk"), tenant, app.Db.Store);
        var orders = new List<Guid>();
        for (var i = 0; i < Orders; i++) orders.Add(await clerk.CreateAsync());
        // Payment requested while the broker is away: the gateway's answer comes once it is back.
        (await clerk.PostAsync($"/api/orders/{orders[0]}/payment-requests")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await MessagingAppFixture.DrainAsync(observer)).ShouldBeEmpty("nothing is published while the broker is away");

        proxy.Restore();
        var received = new List<RabbitMQ.Client.BasicGetResult>();
        await Eventually.Until(async () => { received.AddRange(await MessagingAppFixture.DrainAsync(observer)); return received.Count; },
            n => n >= Orders, Timeout, "every order created without the broker, on the observer queue");
        // Every one, and nothing else: the shard has passed every stored event. A page that failed while the transport came
        // up is published again whole (at-least-once onto the exchange, docs/wolverine.md "What is guaranteed"), so a
        // message may arrive twice under the same message_id, which consumers deduplicate by; none is lost or foreign.
        var stored = await Task.WhenAll(orders.Select(o => clerk.EventsAsync(o)));
        var last = stored.SelectMany(e => e).Max(e => e.Position.Seq);
        await Eventually.Until(() => OutboxInspection.ReadAsync(app.Db.AppDataSource, default), s => s.Position >= last, Timeout, "the shard past every order");
        received.AddRange(await MessagingAppFixture.DrainAsync(observer));
        var created = stored.Select(e => e[0].EventId.ToString("D"));
        var ids = received.Select(m => m.BasicProperties.MessageId).ToList();
        output.WriteLine($"{ids.Count} messages received, {ids.Count - ids.Distinct().Count()} of them again under a message_id already received");
        ids.Distinct().Order().ShouldBe(created.Order(), "each order created meanwhile, and nothing else");

        // The payments listener held back at start consumes the gateway's confirmation.
        var payment = Guid.NewGuid();
        await app.WaitForConsumerAsync();
        await app.PublishAsync("payments.payment.confirmed.v1", payment, tenant, "payments.payment.confirmed",
            new { tenant_id = tenant, order_id = orders[0], amount = "25.00", payment_reference = "psp-" + payment.ToString("N")[..6] });
        await Eventually.Until(() => clerk.EventsAsync(orders[0]), e => e.Any(x => x.EventType == Ledger.Application.Orders.OrderEventCodec.Paid),
            Timeout, "the gateway's payment, consumed");
        await Eventually.Until(() => host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Name == "messaging"),
            r => r.Status == HealthStatus.Healthy, Timeout, "messaging healthy again");
    }
}

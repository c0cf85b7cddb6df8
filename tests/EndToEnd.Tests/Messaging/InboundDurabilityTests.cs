using Ledger.Application.Audit;
using Ledger.TestSupport;
using Npgsql;

namespace Ledger.EndToEnd.Tests.Messaging;

/// <summary>A Host whose inbox keeps a handled message id for 2 s and purges every second.</summary>
public sealed class ShortInboxRetentionFixture : MessagingAppFixture
{
    protected override IReadOnlyDictionary<string, string?> MoreSettings { get; } = new Dictionary<string, string?>
    {
        ["Ledger:Messaging:Consumers:InboxRetention"] = "00:00:02",
        ["Ledger:Messaging:Consumers:InboxPurgeInterval"] = "00:00:01",
    };
}

/// <summary>Inbox rows are purged after the retention window; until then a copy of the message is discarded.</summary>
public sealed class InboxRetentionTests(ShortInboxRetentionFixture app) : IClassFixture<ShortInboxRetentionFixture>
{
    [Fact]
    public async Task A_handled_message_id_is_kept_for_the_retention_window_then_purged()
    {
        var gateway = new Inbound(app);
        var order = await gateway.AwaitingPaymentAsync();
        var message = Guid.NewGuid();

        await gateway.ConfirmAsync(message, order);
        await gateway.WaitPaidAsync(order);
        (await gateway.InboxStatusAsync(message)).ShouldBe("Handled");

        await Eventually.Until(() => gateway.InboxStatusAsync(message), s => s is null, Inbound.Timeout, "the inbox row to be purged");

        // Past the window the id is no longer known: a copy is handled as a new message, and the order itself
        // recognises the payment it already has (no second payment; one more accepted command in the audit trail).
        await gateway.ConfirmAsync(message, order);
        await Eventually.Until(() => gateway.MessageAuditAsync(order), a => a.Count == 2, Inbound.Timeout, "the copy to be handled");
        (await gateway.PaidCountAsync(order)).ShouldBe(1);
        (await gateway.MessageAuditAsync(order)).ShouldAllBe(a => a.Entry.Result == AuditResult.Success);
    }
}

/// <summary>A Host whose application connection (its store, and Wolverine's inbox) goes through a proxy the test cuts.</summary>
public sealed class ProxiedDatabaseFixture : MessagingAppFixture
{
    public TcpProxy Proxy { get; } = new(new NpgsqlConnectionStringBuilder(TestServers.PostgresAdmin).Host!, new NpgsqlConnectionStringBuilder(TestServers.PostgresAdmin).Port);

    protected override IReadOnlyDictionary<string, string?> MoreSettings => new Dictionary<string, string?>
    {
        ["ConnectionStrings:Ledger"] = new NpgsqlConnectionStringBuilder(Db.AppConnectionString) { Host = "127.0.0.1", Port = Proxy.Port, Timeout = 2 }.ConnectionString,
    };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Proxy.DisposeAsync();
    }
}

/// <summary>The database goes away while a payment arrives: nothing is lost, and the payment is applied once when it is back.</summary>
public sealed class InboundDatabaseOutageTests(ProxiedDatabaseFixture app) : IClassFixture<ProxiedDatabaseFixture>
{
    [Fact]
    public async Task A_payment_arriving_while_the_database_is_unreachable_is_applied_once_it_is_back()
    {
        var gateway = new Inbound(app);
        var order = await gateway.AwaitingPaymentAsync();
        var message = Guid.NewGuid();
        await app.WaitForConsumerAsync();

        app.Proxy.Cut();
        var before = app.Proxy.Refused;
        await gateway.ConfirmAsync(message, order);
        // The Host keeps trying to reach its database (to take the message into its inbox, or to handle it).
        await Eventually.Until(() => Task.FromResult(app.Proxy.Refused - before), n => n >= 5, Inbound.Timeout, "the Host's attempts to reach its database");
        app.Proxy.Restore();

        await gateway.WaitPaidAsync(order);
        await Eventually.Until(() => gateway.InboxStatusAsync(message), s => s == "Handled", Inbound.Timeout, "the inbox to mark the message handled");
        (await gateway.PaidCountAsync(order)).ShouldBe(1);
        (await gateway.MessageAuditAsync(order)).ShouldHaveSingleItem().Entry.Result.ShouldBe(AuditResult.Success);
        (await gateway.DeadLetters.ListAsync("payments", 1000, default)).ShouldNotContain(l => l.MessageId == message.ToString("D"));
    }
}

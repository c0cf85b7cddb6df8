using System.Net;
using Ledger.Application.Audit;
using Ledger.Application.Orders;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Messaging.Inbound;
using Ledger.Messaging;
using Ledger.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Wolverine.Persistence.Durability;

namespace Ledger.EndToEnd.Tests.Messaging;

/// <summary>
/// The payment gateway's side of a test against a Host with messaging on: orders awaiting payment, payment results
/// published as the gateway does, and what the Host made of them (events, audit entries, inbox rows, dead letters).
/// </summary>
public sealed class Inbound(MessagingAppFixture app, string? tenant = null)
{
    public const string Confirmed = "payments.payment.confirmed.v1";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    public string Tenant { get; } = tenant ?? TestDatabase.NewTenant();

    public OrderApi Clerk => new(app.Client(), app.Tokens.For(Tenant, "clerk"), Tenant, app.Db.Store);

    public InboundDeadLetters DeadLetters => new(app.Host.Services.GetRequiredService<IMessageStore>(),
        app.Host.Services.GetRequiredService<MessagingSettings>());

    public async Task<Guid> AwaitingPaymentAsync()
    {
        var order = await Clerk.CreateAsync();
        (await Clerk.PostAsync($"/api/orders/{order}/payment-requests")).StatusCode.ShouldBe(HttpStatusCode.OK);
        return order;
    }

    public async Task ConfirmAsync(Guid message, Guid order, string? payloadTenant = null, object? amount = null)
    {
        await app.WaitForConsumerAsync();
        await app.PublishAsync(Confirmed, message, Tenant, "payments.payment.confirmed",
            new { tenant_id = payloadTenant ?? Tenant, order_id = order, amount = amount ?? "25.00", payment_reference = "psp-" + order.ToString("N")[..6] });
    }

    public async Task<int> PaidCountAsync(Guid order) => (await Clerk.EventsAsync(order)).Count(e => e.EventType == OrderEventCodec.Paid);

    public Task WaitPaidAsync(Guid order) =>
        Eventually.Until(() => PaidCountAsync(order), n => n >= 1, Timeout, "the order to be paid");

    /// <summary>The order's audit entries left by messages (origin rabbitmq).</summary>
    public async Task<IReadOnlyList<(CommandAuditEntry Entry, Ledger.EventStore.RecordedEvent Event)>> MessageAuditAsync(Guid order) =>
        [.. (await app.Db.Store.ReadStreamAsync(Tenant, AuditStreams.For(OrderStreams.For(order))))
            .Where(e => e.Metadata.Origin == InboundCommands.Origin)
            .Select(e => (AuditEventCodec.Decode(e), e))];

    public Task<IReadOnlyList<DeadLetter>> WaitForDeadLettersAsync(Func<DeadLetter, bool> which, int count) =>
        Eventually.Until(async () => (IReadOnlyList<DeadLetter>)[.. (await DeadLetters.ListAsync(null, 1000, default)).Where(which)],
            l => l.Count >= count, Timeout, $"{count} dead letter(s)");

    /// <summary>The message's row in Wolverine's inbox: its status (Handled once applied), or null when there is none.</summary>
    public async Task<string?> InboxStatusAsync(Guid message)
    {
        await using var command = app.Db.AppDataSource.CreateCommand("SELECT status FROM wolverine_incoming_envelopes WHERE id = $1");
        command.Parameters.Add(new() { Value = message });
        return (string?)await command.ExecuteScalarAsync();
    }
}

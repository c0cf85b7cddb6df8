using System.Text;
using System.Text.Json;
using Ledger.Application;
using Ledger.Application.Orders;
using Ledger.Domain.Orders;
using Ledger.EventStore;
using Ledger.TestSupport;

namespace Ledger.Messaging.Tests.Infrastructure;

/// <summary>Drives orders through the real command path, and builds the payment gateway's messages.</summary>
public sealed class TestOrders(TestDatabase db, string tenant)
{
    public const string TraceId = "0af7651916cd43dd8448eb211c80319c";

    public TestOrderCommands Commands { get; } = new(db);

    public string Tenant => tenant;

    public CommandContext Context() =>
        new(tenant, "clerk-7", DateTimeOffset.UtcNow, "corr-" + Guid.NewGuid().ToString("N")[..8], null, TraceId, "test");

    public async Task<Guid> CreateAsync()
    {
        var id = Guid.CreateVersion7();
        await Commands.DecideAsync(Context(), new CreateOrder(id, "cust-42", "EUR", [new OrderLine("SKU-1", "Widget", 2, 12.50m)], 25.00m,
            new CustomerPersonalData("Ada Lovelace", "ada@example.org"), DateTimeOffset.UtcNow, "clerk-7"));
        return id;
    }

    public Task RequestPaymentAsync(Guid id) => Commands.DecideAsync(Context(), new RequestPayment(id, DateTimeOffset.UtcNow, "clerk-7"));

    public Task PayAsync(Guid id, string reference = "psp-1") => Commands.DecideAsync(Context(), new PayOrder(id, 25.00m, reference, DateTimeOffset.UtcNow, "psp"));

    public Task FulfilAsync(Guid id) => Commands.DecideAsync(Context(), new FulfilOrder(id, DateTimeOffset.UtcNow, "clerk-7"));

    public async Task<IReadOnlyList<RecordedEvent>> EventsAsync(Guid id) => await db.Store.ReadStreamAsync(tenant, OrderStreams.For(id));

    /// <summary>A <c>payments.payment.confirmed.v1</c> envelope as the gateway sends it.</summary>
    public byte[] PaymentConfirmed(Guid orderId, Guid messageId, string amount = "25.00", string reference = "psp-ref-1", string? payloadTenant = null) =>
        Envelope(messageId, "payments.payment.confirmed", new { tenant_id = payloadTenant ?? tenant, order_id = orderId, amount, payment_reference = reference });

    public byte[] PaymentFailed(Guid orderId, Guid messageId, string reason = "card declined") =>
        Envelope(messageId, "payments.payment.failed", new { tenant_id = tenant, order_id = orderId, reason });

    public byte[] Envelope(Guid messageId, string name, object payload) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
    {
        event_id = messageId,
        event_name = name,
        event_version = 1,
        occurred_at = DateTimeOffset.UtcNow,
        tenant_id = tenant,
        correlation_id = "gw-" + messageId.ToString("N")[..8],
        causation_id = (string?)null,
        trace_id = TraceId,
        producer = "payments-gateway",
        actor = (string?)null,
        payload,
    }));
}

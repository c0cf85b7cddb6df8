using System.Text.Json;
using Ledger.Application.Json;
using Ledger.Application.Orders;
using Ledger.Domain.Orders;
using Ledger.EventStore;

namespace Ledger.Application.Integration;

/// <summary>
/// Order events as published (schemas/commerce.order.*.v1.json). Every order event is an integration event:
/// the payment gateway waits for payment requests, fiscal and analytics systems follow the lifecycle. Payloads
/// are contract records of their own, built from the decoded domain event, so refactoring the domain or the
/// stored shape cannot change a published contract. The customer's personal data (name, e-mail) is never
/// published: other systems know the customer by id and ask the system of record when they must.
/// </summary>
internal static class OrderPublications
{
    public static IEnumerable<Publication> All =>
    [
        Publish(OrderEventCodec.Created, (OrderCreated e) => Created(e)),
        // Stored v2 (personal data sealed) is the same contract: the payload never held personal data.
        Publish(OrderEventCodec.Created, (OrderCreated e) => Created(e), storedVersion: 2),
        Publish(OrderEventCodec.PaymentRequested, (OrderPaymentRequested e) => new OrderPaymentRequestedV1(e.OrderId, e.Amount, e.RequestedAt)),
        Publish(OrderEventCodec.Paid, (OrderPaid e) => new OrderPaidV1(e.OrderId, e.Amount, e.PaymentReference, e.PaidAt)),
        Publish(OrderEventCodec.PaymentFailed, (OrderPaymentFailed e) => new OrderPaymentFailedV1(e.OrderId, e.Reason, e.FailedAt)),
        Publish(OrderEventCodec.Fulfilled, (OrderFulfilled e) => new OrderFulfilledV1(e.OrderId, e.FulfilledAt)),
        Publish(OrderEventCodec.Cancelled, (OrderCancelled e) => new OrderCancelledV1(e.OrderId, e.Reason, e.CancelledAt)),
    ];

    // The stored name and the contract name are the same for orders; they are declared apart all the same,
    // because a stored v2 will be published as the same contract (through its upcaster) until a contract v2 exists.
    private static OrderCreatedV1 Created(OrderCreated e) => new(
        e.OrderId, e.CustomerId, e.Currency, [.. e.Lines.Select(l => new OrderLineV1(l.Sku, l.Description, l.Quantity, l.UnitPrice))], e.Total, e.CreatedAt);

    private static Publication Publish<TEvent, TPayload>(string storedType, Func<TEvent, TPayload> payload, int storedVersion = 1) where TEvent : OrderEvent =>
        new(storedType, storedVersion, storedType, 1, recorded => JsonSerializer.SerializeToElement(payload(Decode<TEvent>(recorded)), LedgerJson.Options));

    private static TEvent Decode<TEvent>(RecordedEvent recorded) where TEvent : OrderEvent =>
        OrderEventCodec.Decode(recorded) as TEvent
        ?? throw new InvalidOperationException($"Event {recorded.EventId} ({recorded.EventType}) is not a {typeof(TEvent).Name}.");

    // The published payloads, version 1. Snake_case names, money as decimal strings (LedgerJson.Options).
    private sealed record OrderLineV1(string Sku, string Description, int Quantity, decimal UnitPrice);

    private sealed record OrderCreatedV1(Guid OrderId, string CustomerId, string Currency, IReadOnlyList<OrderLineV1> Lines, decimal Total, DateTimeOffset CreatedAt);

    private sealed record OrderPaymentRequestedV1(Guid OrderId, decimal Amount, DateTimeOffset RequestedAt);

    private sealed record OrderPaidV1(Guid OrderId, decimal Amount, string PaymentReference, DateTimeOffset PaidAt);

    private sealed record OrderPaymentFailedV1(Guid OrderId, string Reason, DateTimeOffset FailedAt);

    private sealed record OrderFulfilledV1(Guid OrderId, DateTimeOffset FulfilledAt);

    private sealed record OrderCancelledV1(Guid OrderId, string Reason, DateTimeOffset CancelledAt);
}

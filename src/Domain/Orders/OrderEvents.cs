namespace Ledger.Domain.Orders;

/// <summary>A fact about an order, as it is recorded in the order's stream.</summary>
public abstract record OrderEvent(Guid OrderId);

/// <summary>
/// The order was opened. <paramref name="Currency"/> is the ISO 4217 code; <paramref name="Total"/> is the sum of the
/// lines written with the currency's minor units. <paramref name="Personal"/> is the only personal data in it.
/// </summary>
public sealed record OrderCreated(
    Guid OrderId,
    string CustomerId,
    string Currency,
    IReadOnlyList<OrderLine> Lines,
    decimal Total,
    DateTimeOffset CreatedAt,
    CustomerPersonalData? Personal) : OrderEvent(OrderId);

public sealed record OrderPaymentRequested(Guid OrderId, decimal Amount, DateTimeOffset RequestedAt) : OrderEvent(OrderId);

public sealed record OrderPaid(Guid OrderId, decimal Amount, string PaymentReference, DateTimeOffset PaidAt) : OrderEvent(OrderId);

public sealed record OrderPaymentFailed(Guid OrderId, string Reason, DateTimeOffset FailedAt) : OrderEvent(OrderId);

public sealed record OrderFulfilled(Guid OrderId, DateTimeOffset FulfilledAt) : OrderEvent(OrderId);

public sealed record OrderCancelled(Guid OrderId, string Reason, DateTimeOffset CancelledAt) : OrderEvent(OrderId);

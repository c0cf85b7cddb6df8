namespace Ledger.Domain.Orders;

/// <summary>Something a clerk or another system asks of an order. Every command carries its time and who sent it.</summary>
public abstract record OrderCommand(Guid OrderId, DateTimeOffset Now, string Actor);

/// <summary>
/// Opens an order. <paramref name="ExpectedTotal"/>, when given, is the total the sender computed; the order is refused
/// if it is not the sum of the lines, so a client and Ledger never disagree silently about an amount.
/// </summary>
public sealed record CreateOrder(
    Guid OrderId,
    string CustomerId,
    string Currency,
    IReadOnlyList<OrderLine> Lines,
    decimal? ExpectedTotal,
    CustomerPersonalData? Personal,
    DateTimeOffset Now,
    string Actor) : OrderCommand(OrderId, Now, Actor);

/// <summary>Asks the customer to pay the order's total (again, after a failed payment).</summary>
public sealed record RequestPayment(Guid OrderId, DateTimeOffset Now, string Actor) : OrderCommand(OrderId, Now, Actor);

/// <summary>Records that the payment provider settled the order under <paramref name="PaymentReference"/>.</summary>
public sealed record PayOrder(Guid OrderId, decimal Amount, string PaymentReference, DateTimeOffset Now, string Actor)
    : OrderCommand(OrderId, Now, Actor);

/// <summary>Records that the requested payment did not go through.</summary>
public sealed record FailPayment(Guid OrderId, string Reason, DateTimeOffset Now, string Actor) : OrderCommand(OrderId, Now, Actor);

/// <summary>Records that a paid order was delivered.</summary>
public sealed record FulfilOrder(Guid OrderId, DateTimeOffset Now, string Actor) : OrderCommand(OrderId, Now, Actor);

/// <summary>Withdraws an order that has not been paid.</summary>
public sealed record CancelOrder(Guid OrderId, string Reason, DateTimeOffset Now, string Actor) : OrderCommand(OrderId, Now, Actor);

namespace Ledger.Domain.Orders;

/// <summary>The payment that settled an order. The reference is the payment provider's, so a replay of it is recognised.</summary>
public sealed record OrderPayment(decimal Amount, string Reference, DateTimeOffset PaidAt);

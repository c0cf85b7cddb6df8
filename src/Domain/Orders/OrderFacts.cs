namespace Ledger.Domain.Orders;

/// <summary>What an order is, fixed when it is created; every state after creation carries it.</summary>
public sealed record OrderFacts(
    Guid OrderId,
    string CustomerId,
    string Currency,
    IReadOnlyList<OrderLine> Lines,
    decimal Total,
    DateTimeOffset CreatedAt);

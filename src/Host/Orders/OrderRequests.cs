using System.Text.Json;

namespace Ledger.Host.Orders;

// Bodies of the order commands, as clients send them (snake_case on the wire). Money fields are JsonElement so a
// JSON number can be refused with its own code and field path: money travels as a decimal string, never a number.

public sealed record CreateOrderRequest
{
    public string? OrderId { get; init; }
    public required string CustomerId { get; init; }
    public required string Currency { get; init; }
    public required IReadOnlyList<OrderLineRequest> Lines { get; init; }
    public JsonElement? Total { get; init; }
    public CustomerRequest? Customer { get; init; }
}

public sealed record OrderLineRequest
{
    public required string Sku { get; init; }
    public required string Description { get; init; }
    public required int Quantity { get; init; }
    public required JsonElement UnitPrice { get; init; }
}

/// <summary>Personal data about the customer, kept apart from the order's facts (it can be erased later).</summary>
public sealed record CustomerRequest
{
    public string? Name { get; init; }
    public string? Email { get; init; }
}

public sealed record PayOrderRequest
{
    public required JsonElement Amount { get; init; }
    public required string PaymentReference { get; init; }
}

public sealed record ReasonRequest
{
    public required string Reason { get; init; }
}

/// <summary>The body of a command that needs none; when one is sent it must be an empty object.</summary>
public sealed record EmptyRequest
{
    public static readonly EmptyRequest Instance = new();
}

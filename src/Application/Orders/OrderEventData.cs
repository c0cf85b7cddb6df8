using Ledger.Domain.Orders;

namespace Ledger.Application.Orders;

// The stored shape of each order event, version 1. These records are the contract with every reader of the store
// (projections, relay, auditors), so they are kept apart from the domain records: the domain may be refactored,
// a published v1 shape never changes (a new shape is a v2 with an upcaster). Names are written in snake_case and
// money as decimal strings by LedgerJson.Options.

internal sealed record OrderLineV1(string Sku, string Description, int Quantity, decimal UnitPrice)
{
    public static OrderLineV1 From(OrderLine line) => new(line.Sku, line.Description, line.Quantity, line.UnitPrice);
    public OrderLine ToLine() => new(Sku, Description, Quantity, UnitPrice);
}

/// <summary>Personal data, nested so that a later version can encrypt this object alone (crypto-shredding).</summary>
internal sealed record PersonalV1(string? Name = null, string? Email = null);

internal sealed record OrderCreatedV1(
    Guid OrderId,
    string CustomerId,
    string Currency,
    IReadOnlyList<OrderLineV1> Lines,
    decimal Total,
    DateTimeOffset CreatedAt,
    PersonalV1? Personal = null)
{
    public static OrderCreatedV1 From(OrderCreated e) => new(
        e.OrderId, e.CustomerId, e.Currency, [.. e.Lines.Select(OrderLineV1.From)], e.Total, e.CreatedAt,
        e.Personal is { } p ? new PersonalV1(p.Name, p.Email) : null);

    public OrderCreated ToEvent() => new(
        OrderId, CustomerId, Currency, [.. Lines.Select(l => l.ToLine())], Total, CreatedAt,
        Personal is { } p ? new CustomerPersonalData(p.Name, p.Email) : null);
}

internal sealed record OrderPaymentRequestedV1(Guid OrderId, decimal Amount, DateTimeOffset RequestedAt)
{
    public static OrderPaymentRequestedV1 From(OrderPaymentRequested e) => new(e.OrderId, e.Amount, e.RequestedAt);
    public OrderPaymentRequested ToEvent() => new(OrderId, Amount, RequestedAt);
}

internal sealed record OrderPaidV1(Guid OrderId, decimal Amount, string PaymentReference, DateTimeOffset PaidAt)
{
    public static OrderPaidV1 From(OrderPaid e) => new(e.OrderId, e.Amount, e.PaymentReference, e.PaidAt);
    public OrderPaid ToEvent() => new(OrderId, Amount, PaymentReference, PaidAt);
}

internal sealed record OrderPaymentFailedV1(Guid OrderId, string Reason, DateTimeOffset FailedAt)
{
    public static OrderPaymentFailedV1 From(OrderPaymentFailed e) => new(e.OrderId, e.Reason, e.FailedAt);
    public OrderPaymentFailed ToEvent() => new(OrderId, Reason, FailedAt);
}

internal sealed record OrderFulfilledV1(Guid OrderId, DateTimeOffset FulfilledAt)
{
    public static OrderFulfilledV1 From(OrderFulfilled e) => new(e.OrderId, e.FulfilledAt);
    public OrderFulfilled ToEvent() => new(OrderId, FulfilledAt);
}

internal sealed record OrderCancelledV1(Guid OrderId, string Reason, DateTimeOffset CancelledAt)
{
    public static OrderCancelledV1 From(OrderCancelled e) => new(e.OrderId, e.Reason, e.CancelledAt);
    public OrderCancelled ToEvent() => new(OrderId, Reason, CancelledAt);
}

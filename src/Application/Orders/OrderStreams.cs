namespace Ledger.Application.Orders;

/// <summary>Where an order's events live: one stream per order, within its tenant.</summary>
public static class OrderStreams
{
    public static string For(Guid orderId) => $"order-{orderId:D}";
}

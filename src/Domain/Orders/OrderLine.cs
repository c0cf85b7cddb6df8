namespace Ledger.Domain.Orders;

/// <summary>One line of an order: so many units of one article at a price per unit, in the order's currency.</summary>
public sealed record OrderLine(string Sku, string Description, int Quantity, decimal UnitPrice);

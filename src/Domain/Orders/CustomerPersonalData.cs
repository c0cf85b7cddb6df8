namespace Ledger.Domain.Orders;

/// <summary>
/// What an order says about a person, kept apart from the business facts so it can be encrypted with a
/// per-person key and erased by destroying that key (crypto-shredding) while the order's facts stay readable.
/// </summary>
public sealed record CustomerPersonalData(string? Name, string? Email);

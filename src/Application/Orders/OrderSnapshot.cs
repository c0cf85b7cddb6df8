using Ledger.Domain.Orders;

namespace Ledger.Application.Orders;

/// <summary>An order as of its stream's <paramref name="Version"/> (the number of its events), e.g. for an ETag.</summary>
public sealed record OrderSnapshot(Order State, long Version);

using Ledger.EventStore.MartenStore;

namespace Ledger.Bench.Infrastructure;

/// <summary>
/// The stored shape of the bench's event (<see cref="Payloads.EventType"/>, version 1) for Ledger's store on Marten:
/// typed, as a module's shapes are, so each append pays what a real one does (the codec's JSON read into the shape
/// with Ledger's JSON options, then written by Marten). Every member of the ~500-byte body has its place; money stays
/// a string.
/// </summary>
public sealed record BenchOrderRecorded(string OrderId, string CustomerId, string Currency, IReadOnlyList<BenchOrderLine> Lines,
    string Total, string Note)
{
    public static EventShapes Register(EventShapes shapes) => shapes.Add(Payloads.EventType, 1, typeof(BenchOrderRecorded));
}

public sealed record BenchOrderLine(string Sku, string Description, int Quantity, string UnitPrice);

using System.Text.Json;
using Ledger.Bench.Infrastructure;
using Ledger.EventStore.MartenStore;

namespace Ledger.Bench.Scenarios.LedgerOnMarten;

/// <summary>
/// The stored shape of the bench's event (<see cref="Payloads.EventType"/>, version 1) for Ledger's store on Marten:
/// typed, as a module's shapes are, so each append pays what a real one does (the codec's JSON read into the shape,
/// then written by Marten). Every member of the ~500-byte body has its place; money stays a string.
/// </summary>
public sealed record BenchOrderRecorded(string OrderId, string CustomerId, string Currency, IReadOnlyList<BenchOrderLine> Lines,
    string Total, string Note)
{
    /// <summary>The bench's JSON: snake_case, as the body is written and as Ledger's codecs write.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.General)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static EventShapes Register(EventShapes shapes) => shapes.Add(Payloads.EventType, 1, typeof(BenchOrderRecorded));
}

public sealed record BenchOrderLine(string Sku, string Description, int Quantity, string UnitPrice);

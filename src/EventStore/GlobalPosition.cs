using System.Globalization;

namespace Ledger.EventStore;

/// <summary>
/// Where an event sits in the store-wide order readers follow: the id of the transaction that wrote it,
/// then its sequence number. Transaction ids, unlike sequence numbers, let a reader know that nothing
/// below a point can still commit (see docs/ledger-format.md, "Reading in order").
/// </summary>
public readonly record struct GlobalPosition(ulong TxId, long Seq) : IComparable<GlobalPosition>
{
    public static readonly GlobalPosition Start = new(0, 0);

    public int CompareTo(GlobalPosition other) =>
        TxId != other.TxId ? TxId.CompareTo(other.TxId) : Seq.CompareTo(other.Seq);

    public static bool operator <(GlobalPosition a, GlobalPosition b) => a.CompareTo(b) < 0;
    public static bool operator >(GlobalPosition a, GlobalPosition b) => a.CompareTo(b) > 0;
    public static bool operator <=(GlobalPosition a, GlobalPosition b) => a.CompareTo(b) <= 0;
    public static bool operator >=(GlobalPosition a, GlobalPosition b) => a.CompareTo(b) >= 0;

    /// <summary>The text form used in HTTP headers and the CLI: <c>txid-seq</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{TxId}-{Seq}");

    public static bool TryParse(string? text, out GlobalPosition position)
    {
        position = Start;
        if (string.IsNullOrEmpty(text)) return false;
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0
            || !ulong.TryParse(text.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var tx)
            || !long.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
            return false;
        position = new GlobalPosition(tx, seq);
        return true;
    }
}

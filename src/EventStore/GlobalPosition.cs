using System.Globalization;

namespace Ledger.EventStore;

/// <summary>
/// Where an event sits in the store-wide order readers follow: Marten's global sequence (<c>mt_events.seq_id</c>).
/// Readers follow the sealed ledger (<c>ledger_events</c>), where nothing can appear behind a position already read
/// (docs/ledger-format.md §5).
/// </summary>
public readonly record struct GlobalPosition(long Seq) : IComparable<GlobalPosition>
{
    public static readonly GlobalPosition Start = new(0);

    public int CompareTo(GlobalPosition other) => Seq.CompareTo(other.Seq);

    public static bool operator <(GlobalPosition a, GlobalPosition b) => a.CompareTo(b) < 0;
    public static bool operator >(GlobalPosition a, GlobalPosition b) => a.CompareTo(b) > 0;
    public static bool operator <=(GlobalPosition a, GlobalPosition b) => a.CompareTo(b) <= 0;
    public static bool operator >=(GlobalPosition a, GlobalPosition b) => a.CompareTo(b) >= 0;

    /// <summary>The text form used in HTTP headers and the CLI: the sequence number.</summary>
    public override string ToString() => Seq.ToString(CultureInfo.InvariantCulture);

    public static bool TryParse(string? text, out GlobalPosition position)
    {
        position = Start;
        if (string.IsNullOrEmpty(text) || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
            return false;
        position = new GlobalPosition(seq);
        return true;
    }
}

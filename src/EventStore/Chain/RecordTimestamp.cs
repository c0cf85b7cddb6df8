namespace Ledger.EventStore.Chain;

/// <summary>
/// <see cref="LedgerRecord.FormatTimestamp"/> written straight into a record as UTF-8 (<c>2026-11-23T16:18:16.123456Z</c>):
/// the digits computed from the ticks instead of a custom format string parsed for every entry.
/// </summary>
internal static class RecordTimestamp
{
    public const int Length = 27;

    public static int Write(DateTimeOffset at, Span<byte> destination)
    {
        var utc = at.UtcDateTime;
        Digits(destination[..4], utc.Year);
        destination[4] = (byte)'-';
        Digits(destination[5..7], utc.Month);
        destination[7] = (byte)'-';
        Digits(destination[8..10], utc.Day);
        destination[10] = (byte)'T';
        Digits(destination[11..13], utc.Hour);
        destination[13] = (byte)':';
        Digits(destination[14..16], utc.Minute);
        destination[16] = (byte)':';
        Digits(destination[17..19], utc.Second);
        destination[19] = (byte)'.';
        // "ffffff" truncates to microseconds; it does not round.
        Digits(destination[20..26], (int)(utc.Ticks % TimeSpan.TicksPerSecond / 10));
        destination[26] = (byte)'Z';
        return Length;
    }

    private static void Digits(Span<byte> destination, int value)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + value % 10);
            value /= 10;
        }
    }
}

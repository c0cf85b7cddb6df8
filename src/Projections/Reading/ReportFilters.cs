using System.Globalization;
using System.Text.RegularExpressions;

namespace Ledger.Projections.Reading;

/// <summary>Parses report filters from query-string text, refusing anything malformed with a stable code.</summary>
public static partial class ReportFilters
{
    public static string? Identifier(string name, string? value)
    {
        if (value is null) return null;
        return IdentifierPattern().IsMatch(value) ? value : throw Invalid(name, "must be 1 to 128 letters, digits or . _ : -");
    }

    public static string? OneOf(string name, string? value, IReadOnlyCollection<string> allowed)
    {
        if (value is null) return null;
        return allowed.Contains(value) ? value : throw Invalid(name, "must be one of " + string.Join(", ", allowed));
    }

    public static string? Currency(string name, string? value)
    {
        if (value is null) return null;
        return CurrencyPattern().IsMatch(value) ? value : throw Invalid(name, "must be an ISO 4217 code such as EUR");
    }

    /// <summary>An ISO 8601 instant with an offset (<c>2025-01-31T00:00:00Z</c>).</summary>
    public static DateTimeOffset? Instant(string name, string? value)
    {
        if (value is null) return null;
        return DateTimeOffset.TryParseExact(value, ["yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant)
            ? instant.ToUniversalTime()
            : throw Invalid(name, "must be an ISO 8601 date and time with an offset, such as 2025-01-31T00:00:00Z");
    }

    public static DateOnly? Date(string name, string? value)
    {
        if (value is null) return null;
        return DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw Invalid(name, "must be a date such as 2025-01-31");
    }

    public static void Range<T>(string from, T? start, string to, T? end) where T : struct, IComparable<T>
    {
        if (start is { } s && end is { } e && s.CompareTo(e) > 0) throw Invalid(from, $"must not be after {to}");
    }

    public static InvalidReportQueryException Invalid(string name, string what) =>
        new(InvalidReportQueryException.InvalidFilter, $"{name} {what}.");

    /// <summary>Microseconds since the Unix epoch: PostgreSQL's precision, so a cursor names a row's time exactly.</summary>
    public static string Micros(DateTimeOffset instant) =>
        ((instant.UtcTicks - DateTimeOffset.UnixEpoch.Ticks) / 10).ToString(CultureInfo.InvariantCulture);

    public static DateTimeOffset FromMicros(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var micros)
        && micros is > -62_135_596_800_000_000 and < 253_402_300_800_000_000
            ? DateTimeOffset.UnixEpoch.AddTicks(micros * 10)
            : throw ReportCursor.Invalid("is malformed");

    // The same identifiers the write side accepts (Host RequestValidation.Identifier): letters of any script too.
    [GeneratedRegex(@"^[\p{L}\p{M}0-9._:-]{1,128}$")]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyPattern();
}

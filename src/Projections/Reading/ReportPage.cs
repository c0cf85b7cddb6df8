using Ledger.EventStore;

namespace Ledger.Projections.Reading;

/// <summary>
/// One page of a report: its rows in the report's stable order, the cursor for the next page (null on the last),
/// and the projection position the rows reflect (every event up to it, none after).
/// </summary>
public sealed record ReportPage<T>(IReadOnlyList<T> Items, string? NextCursor, GlobalPosition Position);

/// <summary>A report query the caller got wrong (a bad filter or cursor); <see cref="Code"/> is stable for clients.</summary>
public sealed class InvalidReportQueryException(string code, string message) : Exception(message)
{
    public const string InvalidCursor = "read_model.invalid_cursor";
    public const string InvalidFilter = "read_model.invalid_filter";
    public const string InvalidLimit = "read_model.invalid_limit";

    public string Code { get; } = code;
}

/// <summary>Page sizes: a caller may ask for up to <see cref="Max"/> rows.</summary>
public static class ReportLimits
{
    public const int Default = 50;
    public const int Max = 500;

    public static int Check(int? limit) => limit switch
    {
        null => Default,
        >= 1 and <= Max => limit.Value,
        _ => throw new InvalidReportQueryException(InvalidReportQueryException.InvalidLimit, $"limit must be between 1 and {Max}."),
    };
}

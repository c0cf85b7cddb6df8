using Ledger.EventStore;
using Ledger.Host.Errors;
using Ledger.Projections.Reading;
using Microsoft.Net.Http.Headers;

namespace Ledger.Host.ReadModels;

/// <summary>
/// What every report request carries besides its filters: page size, cursor, the position to read at least
/// (<c>X-Ledger-Min-Position</c> header or <c>min_position</c>), and whether the answer is CSV. Unknown query
/// parameters are refused: a misspelt filter would otherwise silently return everything.
/// </summary>
internal sealed record ReportRequest(int Limit, string? Cursor, GlobalPosition? MinPosition, bool Csv, Func<string, string?> Query)
{
    public const string MinPositionHeader = Http.MinPosition.Header;
    private static readonly string[] Common = ["limit", "cursor", "min_position"];

    public static ReportRequest From(HttpRequest request, IReadOnlyCollection<string> filters)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = request.Query;
        foreach (var (key, values) in query)
        {
            if (!Common.Contains(key) && !filters.Contains(key))
                throw Rejected(InvalidReportQueryException.InvalidFilter, $"Unknown query parameter '{key}'; this report takes {string.Join(", ", [.. filters, .. Common])}.");
            if (values.Count > 1) throw Rejected(InvalidReportQueryException.InvalidFilter, $"Query parameter '{key}' is given more than once.");
        }

        int? limit = null;
        if (query.TryGetValue("limit", out var limitText))
            limit = int.TryParse(limitText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : throw Rejected(InvalidReportQueryException.InvalidLimit, $"limit must be a whole number from 1 to {ReportLimits.Max}.");
        var cursor = query.TryGetValue("cursor", out var c) ? c.ToString() : null;
        if (cursor is { Length: 0 or > 2048 }) throw Rejected(InvalidReportQueryException.InvalidCursor, "The cursor is not one this API issued.");

        var minPosition = Http.MinPosition.From(request, query.TryGetValue("min_position", out var q) ? q.ToString() : null,
            ReadModelProblemCodes.InvalidPosition);

        return new ReportRequest(Guard(() => ReportLimits.Check(limit)), cursor, minPosition, WantsCsv(request),
            name => query.TryGetValue(name, out var value) ? value.ToString() : null);
    }

    /// <summary>Runs a parse or a query of the Projections module, answering its refusals with 400 and their code.</summary>
    public static T Guard<T>(Func<T> parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        try
        {
            return parse();
        }
        catch (InvalidReportQueryException e)
        {
            throw Rejected(e.Code, e.Message);
        }
    }

    public static RequestRejectedException Rejected(string code, string message) => new(StatusCodes.Status400BadRequest, code, message);

    /// <summary>CSV when the client accepts it at least as much as JSON (<c>Accept: text/csv</c>).</summary>
    private static bool WantsCsv(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted)) return false;
        double Quality(string mediaType) => accepted
            .Where(a => a.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase)).Select(a => a.Quality ?? 1).DefaultIfEmpty(0).Max();
        var csv = Quality("text/csv");
        return csv > 0 && csv >= Quality("application/json");
    }
}

/// <summary>The stable codes of the read API's own problems (the filters' and cursors' come from the Projections module).</summary>
public static class ReadModelProblemCodes
{
    public const string InvalidPosition = "read_model.invalid_position";
    public const string NotCaughtUp = "read_model.not_caught_up";
}

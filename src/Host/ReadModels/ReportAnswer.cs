using System.Text;
using Ledger.EventStore;
using Ledger.Host.Errors;
using Ledger.Projections.OnMarten;
using Ledger.Projections.Model;
using Microsoft.Extensions.Options;

namespace Ledger.Host.ReadModels;

/// <summary>One report's answer: the position its rows reflect, its next cursor, and the same rows as JSON or as CSV.</summary>
internal sealed record ReportResult(GlobalPosition Position, string? NextCursor, object Json, ReportCsv Csv);

/// <summary>
/// Answers a report request: waits for the projection to reach the requested position (read-your-writes), runs the
/// query, and says how fresh the answer is (<c>X-Ledger-Projection-Position</c>). If the projection does not get
/// there within <see cref="ProjectionOptions.ReadYourWritesTimeout"/>, 503 <c>read_model.not_caught_up</c>
/// with Retry-After: the client's write is committed, the read model is just not there yet.
/// </summary>
internal sealed class ReportAnswer(ProjectionPositions positions, IOptions<ProjectionOptions> options)
{
    public const string PositionHeader = "X-Ledger-Projection-Position";
    public const string NextCursorHeader = "X-Ledger-Next-Cursor";

    public async Task<IResult> AnswerAsync(
        HttpContext http, string projection, ReportRequest request, Func<CancellationToken, Task<ReportResult>> query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(query);
        var deadline = DateTime.UtcNow + options.Value.ReadYourWritesTimeout;
        ReportResult result;
        while (true)
        {
            if (request.MinPosition is { } min
                && !await positions.WaitForAsync(projection, min, Remaining(deadline), ct))
                return NotCaughtUp(http, projection, min, await positions.CurrentAsync(projection, ct));
            result = await query(ct);
            // Around a blue/green swap a read can reflect the new generation just before its last catch-up: ask again.
            if (request.MinPosition is not { } wanted || result.Position >= wanted) break;
            if (Remaining(deadline) == TimeSpan.Zero) return NotCaughtUp(http, projection, wanted, result.Position);
        }

        http.Response.Headers[PositionHeader] = result.Position.ToString();
        if (result.NextCursor is { } next) http.Response.Headers[NextCursorHeader] = next;
        return request.Csv
            ? TypedResults.Text(result.Csv.ToString(), "text/csv; charset=utf-8", Encoding.UTF8)
            : TypedResults.Ok(result.Json);
    }

    private static TimeSpan Remaining(DateTime deadline)
    {
        var left = deadline - DateTime.UtcNow;
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    private static IResult NotCaughtUp(HttpContext http, string projection, GlobalPosition wanted, GlobalPosition current)
    {
        http.Response.Headers.RetryAfter = "1";
        http.Response.Headers[PositionHeader] = current.ToString();
        var problem = Problems.Create(StatusCodes.Status503ServiceUnavailable, ReadModelProblemCodes.NotCaughtUp,
            "The read model has not caught up yet",
            $"The {projection} read model is at {current}, not yet at {wanted}; the write is committed, retry shortly.");
        problem.Extensions["projection_position"] = current.ToString();
        problem.Extensions["min_position"] = wanted.ToString();
        return TypedResults.Problem(problem);
    }
}

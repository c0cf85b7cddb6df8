using Ledger.EventStore;
using Ledger.EventStore.MartenStore;
using Ledger.Host.Errors;
using Ledger.Host.Http;
using Ledger.Host.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Wolverine.Http;
using Microsoft.Extensions.Options;

namespace Ledger.Host.Auditing;

/// <summary>
/// <c>GET /api/ledger/sealed</c>: how far the ledger is sealed (<c>sealed_through</c>, Marten's sequence number up to
/// which every event has its chain entry, docs/ledger-format.md §5). With <c>X-Ledger-Min-Position</c> (or
/// <c>min_position</c>), the position a write returned in <c>X-Ledger-Position</c>, it waits until that write is in
/// the ledger, up to <see cref="AuditorOptions.SealWaitSeconds"/>, then answers 503 <c>ledger.not_sealed</c> with
/// <c>Retry-After</c>: an auditor can wait for a write as a report reader waits for a read model.
/// </summary>
[Tags("Ledger")]
[Authorize(Policy = LedgerPolicies.ReadLedger)]
public static class SealedEndpoint
{
    public const string NotSealed = "ledger.not_sealed";
    public const string InvalidPosition = "ledger.invalid_position";

    [WolverineGet("/api/ledger/sealed", OperationId = "getSealedThrough")]
    [EndpointSummary("How far the ledger is sealed; waits for a write's position with X-Ledger-Min-Position")]
    [EndpointDescription("sealed_through: Marten's sequence number up to which every event has its chain entry. With the "
        + "X-Ledger-Min-Position header (or min_position), the X-Ledger-Position a write returned, the answer waits up to "
        + "Ledger:Auditor:SealWaitSeconds for that write to be sealed, else 503 ledger.not_sealed with Retry-After; "
        + "a malformed position is 400 ledger.invalid_position.")]
    public static async Task<Results<Ok<SealedView>, ProblemHttpResult>> Sealed(
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "min_position")] string? minPosition, HttpContext http, SealProgress progress, IOptions<AuditorOptions> options, CancellationToken ct)
    {
        var wanted = MinPosition.From(http.Request, minPosition, InvalidPosition);

        if (wanted is { } target
            && !await progress.WaitForAsync(target.Seq, TimeSpan.FromSeconds(options.Value.SealWaitSeconds), ct))
        {
            http.Response.Headers.RetryAfter = "1";
            var problem = Problems.Create(StatusCodes.Status503ServiceUnavailable, NotSealed, "The ledger has not sealed that position yet",
                $"The ledger is sealed through {progress.Known}, not yet through {target}; the write is committed, retry shortly.");
            problem.Extensions["sealed_through"] = progress.Known.ToString(System.Globalization.CultureInfo.InvariantCulture);
            problem.Extensions["min_position"] = target.ToString();
            return TypedResults.Problem(problem);
        }
        // The wait has just read the sealer's progress; without one, read it now.
        var through = wanted is null ? await progress.ReadAsync(ct) : progress.Known;
        return TypedResults.Ok(new SealedView(through.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }
}

/// <summary>How far the ledger is sealed: a position as <c>X-Ledger-Position</c> gives them (a string, like every position).</summary>
public sealed record SealedView(string SealedThrough);

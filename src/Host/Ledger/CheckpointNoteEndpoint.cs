using Ledger.Host.Auth;
using Ledger.Host.Errors;
using Ledger.Host.Http;
using Ledger.Messaging.Witnesses;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Wolverine.Http;

namespace Ledger.Host.Auditing;

/// <summary>
/// A checkpoint as a C2SP signed note (docs/ledger-format.md §14), as transparency-log witnesses and their tools take
/// it: the same checkpoint as <c>GET /api/ledger/checkpoints/{position}</c>, in text. A separate endpoint rather than a
/// member of that answer: a note is a text format of its own, fetched by tools that want nothing else.
/// </summary>
[Tags("Ledger")]
[Authorize(Policy = LedgerPolicies.ReadLedger)]
public static class CheckpointNoteEndpoint
{
    [WolverineGet("/api/ledger/checkpoints/{position:long}/note", OperationId = "getCheckpointNote"), EndpointSummary("Get a checkpoint as a C2SP signed note")]
    public static async Task<Results<NoteResult, ProblemHttpResult>> Note(long position, HttpContext http, CheckpointNotes notes, CancellationToken ct) =>
        position > 0 && await notes.StoredAsync(http.User.TenantId(), position, ct) is { } note
            ? new NoteResult(note)
            : Problems.Result(StatusCodes.Status404NotFound, AuditorEndpoints.CheckpointNotFound, "No checkpoint note",
                "No checkpoint note at that position: none was signed there, or it was signed moments ago and its note is not made yet.");

    /// <summary>The note's text (UTF-8: its signature lines start with an em dash).</summary>
    public sealed class NoteResult(string note) : UndescribedBody
    {
        public override Task ExecuteAsync(HttpContext httpContext) => TypedResults.Text(note, "text/plain; charset=utf-8").ExecuteAsync(httpContext);
    }
}

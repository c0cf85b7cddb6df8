using Ledger.Application.Privacy;
using Ledger.EventStore.Privacy;
using Ledger.Host.Auth;
using Ledger.Host.Configuration;
using Ledger.Host.Http;
using Ledger.Host.Orders;
using Ledger.Host.WritePath;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Wolverine;
using Wolverine.Http;

namespace Ledger.Host.Privacy;

/// <summary>
/// Data subjects' requests, for the privacy officer: what Ledger keeps about a person (an access request), and its
/// erasure. A subject is named by its pseudonymous id — the customer id orders and invoices carry — never by a name.
/// </summary>
[Tags("Data subjects")]
[WritePathMetadata("data-subject")]
public static class DataSubjectEndpoints
{
    [WolverineGet("/api/data-subjects/{id}", OperationId = "getDataSubject"), EndpointSummary("Everything kept about a data subject")]
    [Authorize(Policy = PrivacyServices.ManageDataSubjects)]
    public static async Task<Results<Ok<DataSubjectView>, ProblemHttpResult>> Get(string id, HttpContext http, LedgerDataSources db,
        PersonalDataReader reader, CancellationToken ct)
    {
        var subjectId = SubjectId(id);
        var tenant = http.User.TenantId();
        await using var connection = await db.App.OpenConnectionAsync(ct);
        var keys = await SubjectKeys.HistoryAsync(connection, tenant, subjectId, ct);
        var records = await DataSubjectRecords.FindAsync(connection, tenant, subjectId, ct);
        if (keys.Count == 0 && records.Count == 0)
            return Errors.Problems.Result(StatusCodes.Status404NotFound, "data_subject.not_found", "No personal data is kept about this data subject");
        var opened = await reader.OpenAsync(db.App, tenant, [.. records.Select(r => r.Personal)], ct);
        return TypedResults.Ok(new DataSubjectView(subjectId,
            [.. keys.Select(k => new SubjectKeyView(k.Generation, k.ErasedAt is null ? "live" : "erased", k.ErasedAt))],
            [.. records.Zip(opened, (r, o) => new PersonalDataRecordView(r.Position.ToString(), r.StreamId, r.EventType, r.TypeVersion, r.OccurredAt,
                PersonalDataView.From(o)))]));
    }

    [WolverinePost("/api/data-subjects/{id}/erasure", OperationId = "eraseDataSubject"), EndpointSummary("Erase a data subject's personal data")]
    [Authorize(Policy = PrivacyServices.ManageDataSubjects), AcceptsJson(typeof(EmptyRequest), IsOptional = true)]
    public static async Task<Ok<ErasureView>> Erase(string id, HttpContext http, IMessageBus bus, TimeProvider clock, SubjectKeys subjectKeys,
        CancellationToken ct)
    {
        var subjectId = SubjectId(id);
        await JsonBody.ReadOptionalAsync(http.Request, EmptyRequest.Instance, ct);
        var context = HttpCommandContext.From(http, clock);
        var entity = EraseDataSubject.Entity(subjectId);
        var report = await WriteCommands.InvokeAsync<ErasureReport>(http, bus, new EraseDataSubject(subjectId, context), entity, null, _ => true, ct);
        // This process no longer seals under the destroyed key; other processes find out at their next commit (it fails).
        subjectKeys.Forget(http.User.TenantId(), subjectId);
        return TypedResults.Ok(ErasureView.From(report));
    }

    /// <summary>A subject id as customer ids are written: letters, digits and . _ : - (at most 64).</summary>
    private static string SubjectId(string id)
    {
        var v = new RequestValidation();
        var subjectId = v.Identifier("id", id, 64);
        v.ThrowIfInvalid();
        return subjectId;
    }
}

using Ledger.Application.Privacy;
using Ledger.EventStore.Privacy;
using Ledger.Host.Auth;
using Ledger.Host.Configuration;
using Microsoft.AspNetCore.Authorization;

namespace Ledger.Host.Privacy;

/// <summary>
/// Personal data as a reader allowed to see it gets it: <c>available</c> with its fields, or <c>erased</c> with every
/// field null (and when, if known). <c>encrypted</c> is false for data written before encryption, which no erasure reaches.
/// </summary>
public sealed record PersonalDataView(string Status, bool Encrypted, IReadOnlyDictionary<string, string?> Fields, DateTimeOffset? ErasedAt)
{
    public static PersonalDataView From(OpenedPersonalData opened)
    {
        ArgumentNullException.ThrowIfNull(opened);
        return new(opened.Status, opened.Encrypted, opened.Fields, opened.ErasedAt);
    }

    /// <summary>
    /// The record opened for the caller of <paramref name="http"/> when they may see personal data
    /// (<see cref="PrivacyServices.ReadPersonalData"/>), with the subject's key as it is now; null otherwise.
    /// </summary>
    public static async Task<PersonalDataView?> ForCallerAsync(HttpContext http, PersonalRecord? record, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (record is null) return null;
        var services = http.RequestServices;
        // Looked up, not injected: the authorization service's implementation is internal, which Wolverine's code cannot inject.
        if (!(await services.GetRequiredService<IAuthorizationService>().AuthorizeAsync(http.User, PrivacyServices.ReadPersonalData)).Succeeded)
            return null;
        var opened = await services.GetRequiredService<PersonalDataReader>()
            .OpenAsync(services.GetRequiredService<LedgerDataSources>().App, http.User.TenantId(), [record], ct);
        return From(opened[0]);
    }
}

/// <summary>Everything Ledger keeps about a data subject: its keys' states and every event holding personal data about it.</summary>
public sealed record DataSubjectView(string SubjectId, IReadOnlyList<SubjectKeyView> Keys, IReadOnlyList<PersonalDataRecordView> Records);

/// <summary>One generation of a subject's key: <c>live</c>, or <c>erased</c> at a time.</summary>
public sealed record SubjectKeyView(int Generation, string Status, DateTimeOffset? ErasedAt);

/// <summary>An event holding personal data about the subject: where it is in the tenant's log, and the data.</summary>
public sealed record PersonalDataRecordView(string Position, string StreamId, string EventType, int TypeVersion, DateTimeOffset OccurredAt,
    PersonalDataView PersonalData);

/// <summary>What an erasure did (<see cref="ErasureReport"/>), without any of the personal data.</summary>
public sealed record ErasureView(
    string SubjectId,
    DateTimeOffset ErasedAt,
    IReadOnlyList<int> KeysDestroyed,
    IReadOnlyList<int> KeysErasedBefore,
    int EventsSealed,
    int EventsInClear,
    IReadOnlyDictionary<string, int> Purged,
    string AuditEntity)
{
    public static ErasureView From(ErasureReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new(report.SubjectId, report.ErasedAt, report.KeysDestroyed, report.KeysErasedBefore, report.EventsSealed, report.EventsInClear,
            report.Purged, report.AuditEntity);
    }
}

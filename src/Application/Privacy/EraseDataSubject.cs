namespace Ledger.Application.Privacy;

/// <summary>Erase everything Ledger can read about a data subject of the sender's tenant (a customer id).</summary>
public sealed record EraseDataSubject(string SubjectId, CommandContext Context)
{
    /// <summary>The audit trail's entity for a subject: its id is pseudonymous, never a name.</summary>
    public static string Entity(string subjectId) => "data-subject-" + subjectId;

    public override string ToString() => $"EraseDataSubject {Entity(SubjectId)}";
}

/// <summary>What an erasure did, without a byte of the personal data.</summary>
/// <param name="KeysDestroyed">The key generations destroyed now (empty when erased before: erasure is idempotent).</param>
/// <param name="EventsSealed">Events whose personal data was sealed under the subject's keys: unreadable from now on, still in every chain and export.</param>
/// <param name="EventsInClear">Events written before personal data was encrypted: their data is in clear in an immutable chain, and stays readable.</param>
/// <param name="Purged">Rows purged from each store that kept a copy (<see cref="IPersonalDataHolder"/>).</param>
public sealed record ErasureReport(
    string SubjectId,
    DateTimeOffset ErasedAt,
    IReadOnlyList<int> KeysDestroyed,
    IReadOnlyList<int> KeysErasedBefore,
    int EventsSealed,
    int EventsInClear,
    IReadOnlyDictionary<string, int> Purged,
    string AuditEntity);

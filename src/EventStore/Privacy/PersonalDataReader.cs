using System.Security.Cryptography;
using Npgsql;

namespace Ledger.EventStore.Privacy;

/// <summary>
/// Opens personal records for a reader allowed to see personal data. The keys are read from the database on every
/// call, never cached: once an erasure has committed, no host opens the subject's data again. A record whose key is
/// erased reads as <c>erased</c> with every field null, never as an error.
/// </summary>
public sealed class PersonalDataReader(SubjectKeys keys)
{
    public async Task<IReadOnlyList<OpenedPersonalData>> OpenAsync(NpgsqlDataSource dataSource, string tenantId, IReadOnlyList<PersonalRecord> records,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(records);
        var sealedSubjects = records.Where(r => r.IsSealed).Select(r => r.SubjectId).Distinct().ToList();
        var states = (await keys.ReadAsync(dataSource, tenantId, sealedSubjects, ct).ConfigureAwait(false))
            .ToDictionary(s => (s.SubjectId, s.Generation));
        return [.. records.Select(r => Open(r, states))];
    }

    private static OpenedPersonalData Open(PersonalRecord record, Dictionary<(string, int), SubjectKeyState> states)
    {
        if (!record.IsSealed)
            return new(record.SubjectId, OpenedPersonalData.Available, false, record.Fields.ToDictionary(f => f.Key, f => (string?)f.Value), null);
        if (!states.TryGetValue((record.SubjectId, record.KeyGeneration!.Value), out var state))
            return Erased(record, null);
        if (state.Unavailable) return Closed(record, OpenedPersonalData.Unavailable, null);
        if (state.Key is not { } key) return Erased(record, state.ErasedAt);
        try
        {
            return new(record.SubjectId, OpenedPersonalData.Available, true, record.Fields.ToDictionary(f => f.Key, f => (string?)key.Open(f.Key, f.Value)), null);
        }
        catch (CryptographicException)
        {
            // Sealed under this generation yet not opening: the key row or the event was altered. The chain's verifier
            // finds an altered event; to a reader the data is as good as gone.
            return Erased(record, null);
        }
    }

    private static OpenedPersonalData Erased(PersonalRecord record, DateTimeOffset? erasedAt) => Closed(record, OpenedPersonalData.Erased, erasedAt);

    private static OpenedPersonalData Closed(PersonalRecord record, string status, DateTimeOffset? erasedAt) =>
        new(record.SubjectId, status, true, record.Fields.ToDictionary(f => f.Key, _ => (string?)null), erasedAt);
}

using System.Text.Json;

namespace Ledger.EventStore.Privacy;

/// <summary>
/// The personal fields one event holds about one data subject: sealed under a generation of the subject's key, or —
/// in events written before personal data was encrypted (their type's version 1) — in clear, which no erasure can
/// reach. Every event that carries personal data keeps it in its <c>personal</c> member, apart from the business facts.
/// </summary>
public sealed record PersonalRecord(string SubjectId, int? KeyGeneration, IReadOnlyDictionary<string, string> Fields)
{
    public const string Member = "personal";
    public const string SubjectMember = "subject_id";
    public const string GenerationMember = "key_generation";

    public bool IsSealed => KeyGeneration is not null;

    /// <summary>
    /// The personal record in an event's data, if it has one: sealed when it names its subject and key generation, else
    /// in clear and about <paramref name="legacySubjectId"/> (the event's customer).
    /// </summary>
    public static PersonalRecord? Read(JsonElement data, string? legacySubjectId)
    {
        if (data.ValueKind != JsonValueKind.Object || !data.TryGetProperty(Member, out var personal) || personal.ValueKind != JsonValueKind.Object)
            return null;
        var fields = personal.EnumerateObject()
            .Where(p => p.Name is not (SubjectMember or GenerationMember) && p.Value.ValueKind == JsonValueKind.String)
            .ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
        if (personal.TryGetProperty(SubjectMember, out var subject) && subject.ValueKind == JsonValueKind.String
            && personal.TryGetProperty(GenerationMember, out var generation) && generation.TryGetInt32(out var g))
            return new PersonalRecord(subject.GetString()!, g, fields);
        return legacySubjectId is null ? null : new PersonalRecord(legacySubjectId, null, fields);
    }
}

/// <summary>What a reader allowed to see personal data gets of a <see cref="PersonalRecord"/>.</summary>
/// <param name="Status">
/// <c>available</c>; <c>erased</c> (the key is destroyed: every field is null); or <c>unavailable</c> (the key is there,
/// wrapped under a master key this host is not configured with: every field is null until the configuration names it).
/// </param>
/// <param name="Encrypted">false for a record written before encryption, in clear in its event.</param>
public sealed record OpenedPersonalData(string SubjectId, string Status, bool Encrypted, IReadOnlyDictionary<string, string?> Fields, DateTimeOffset? ErasedAt)
{
    public const string Available = "available";
    public const string Erased = "erased";
    public const string Unavailable = "unavailable";

    public string? this[string field] => Fields.TryGetValue(field, out var value) ? value : null;
}

/// <summary>Building a record's fields from a stored shape's members.</summary>
public static class PersonalFields
{
    /// <summary>The fields that have a value, by name.</summary>
    public static IReadOnlyDictionary<string, string> Of(params (string Field, string? Value)[] fields) =>
        fields.Where(f => f.Value is not null).ToDictionary(f => f.Field, f => f.Value!, StringComparer.Ordinal);
}

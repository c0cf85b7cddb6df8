using Npgsql;

namespace Ledger.Application.Privacy;

/// <summary>
/// A store outside the events that may keep a copy of a subject's personal data (or something derived from it, such as
/// the hash of a request that carried it), and purges it when the subject is erased — in the erasure's transaction.
/// The read models are not among them: they keep no personal data (docs/privacy.md), so a rebuild cannot bring any back.
/// </summary>
public interface IPersonalDataHolder
{
    /// <summary>What the erasure report calls this store.</summary>
    string Name { get; }

    /// <summary>Purges what this store keeps about the subject; returns how many rows it changed.</summary>
    Task<int> PurgeAsync(NpgsqlConnection connection, string tenantId, string subjectId, CancellationToken ct);
}

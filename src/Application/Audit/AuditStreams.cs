namespace Ledger.Application.Audit;

/// <summary>
/// Where audit entries live: one audit stream per audited entity (<c>audit-order-…</c>), so an entity's trail reads
/// as one stream and writers of different entities never contend. Commands whose entity id is unknown (a refused
/// create) share their entity kind's stream (<c>audit-order</c>).
/// </summary>
public static class AuditStreams
{
    public const string Prefix = "audit-";

    public static string For(string entity)
    {
        ArgumentException.ThrowIfNullOrEmpty(entity);
        return Prefix + entity;
    }

    public static bool IsAudit(string streamId) => streamId?.StartsWith(Prefix, StringComparison.Ordinal) == true;
}

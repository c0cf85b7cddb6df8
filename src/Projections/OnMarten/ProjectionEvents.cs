using JasperFx.Events;
using Marten;
using Marten.Services;
using Npgsql;

namespace Ledger.Projections.OnMarten;

/// <summary>
/// Events read outside the daemon, as the daemon hands them to projections (Marten's <see cref="IEvent"/>, every
/// tenant, in <c>seq_id</c> order), and applied in a caller's transaction: what a rebuild's swap catches up with and
/// what the supervisor replays to find the event a projection stopped on.
/// </summary>
internal static class ProjectionEvents
{
    /// <summary>Up to <paramref name="limit"/> events after <paramref name="after"/>, through <paramref name="through"/>.</summary>
    public static async Task<IReadOnlyList<IEvent>> ReadAsync(IDocumentStore store, long after, long through, int limit, CancellationToken ct)
    {
        await using var session = store.QuerySession(new SessionOptions { AllowAnyTenant = true });
        return await session.Events.QueryAllRawEvents()
            .Where(e => e.AnyTenant() && e.Sequence > after && e.Sequence <= through)
            .OrderBy(e => e.Sequence).Take(limit).ToListAsync(ct);
    }

    /// <summary>Applies <paramref name="events"/> tenant by tenant in the caller's transaction (one round trip).</summary>
    public static async Task ApplyAsync(ReadModelProjection projection, IReadOnlyList<IEvent> events,
        NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        var skipped = await projection.Skips.CurrentAsync(ct);
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var tenant in events.GroupBy(e => e.TenantId, StringComparer.Ordinal))
            foreach (var statement in projection.Statements(tenant.Key, [.. tenant], skipped))
                batch.BatchCommands.Add(statement.ToBatchCommand());
        if (batch.BatchCommands.Count > 0) await batch.ExecuteNonQueryAsync(ct);
    }
}

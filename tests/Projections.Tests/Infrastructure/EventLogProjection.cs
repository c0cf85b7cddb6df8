using System.Text.Json;
using Ledger.EventStore;
using Ledger.EventStore.Migrations;
using Ledger.Projections.Model;

namespace Ledger.Projections.Tests.Infrastructure;

/// <summary>The test-only projection of migration 0190: logs every event once (a second time fails) and counts them per tenant.</summary>
public sealed class EventLogProjection : IReadModel
{
    public const string ProjectionName = "test_event_log";
    public const string PoisonType = "test.poison";

    public static readonly MigrationSet Migrations =
        new("projections_tests", typeof(EventLogProjection).Assembly, "Ledger.Projections.Tests.Migrations.");

    private const string Log = """
        WITH logged AS (
            INSERT INTO test_event_log_{g} (tenant_id, event_id, seq, event_type)
            SELECT $1, $2, $3, $4
              FROM (SELECT CASE WHEN $5::bigint IS NULL THEN true ELSE pg_advisory_xact_lock_shared($5)::text IS NOT NULL END) gate
            RETURNING tenant_id)
        INSERT INTO test_event_counts_{g} AS c (tenant_id, events) SELECT tenant_id, 1 FROM logged
        ON CONFLICT (tenant_id) DO UPDATE SET events = c.events + 1
        """;

    public string Name => ProjectionName;

    public IReadOnlyList<string> Tables { get; } = ["test_event_log", "test_event_counts"];

    public ProjectionStatement? Apply(RecordedEvent recorded)
    {
        long? block = recorded.Data.TryGetProperty("block", out var key) && key.ValueKind == JsonValueKind.Number ? key.GetInt64() : null;
        return new(Log, recorded.TenantId, recorded.EventId, recorded.Position.Seq, recorded.EventType, block);
    }
}

using System.Globalization;
using Ledger.Projections.Daemon;
using Ledger.Projections.Orders;
using Ledger.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ledger.Projections.Tests.Infrastructure;

/// <summary>
/// A large order history made in the database, set-based, as the schema owner: appending a million events through
/// the store would take far longer than a test may. A few template orders are appended through the store (so their
/// data, metadata and types are exactly what the codec reads) and copied with new order ids.
/// </summary>
public static class GeneratedHistory
{
    /// <summary>Orders per template round: one still owed (its payment failed once), one paid and fulfilled.</summary>
    private const int OrdersPerRound = 2;

    public const int EventsPerRound = 8;

    /// <summary>
    /// Appends the templates and about <paramref name="events"/> copies for <paramref name="tenant"/>; the live orders
    /// generation (g1) is filled by copying the templates' rows in the same way and its checkpoint set to the end, as if
    /// the daemon had applied them all. Returns how many events the store then holds.
    /// </summary>
    public static async Task<long> CreateAsync(TestDatabase db, string tenant, long events)
    {
        var owed = Guid.CreateVersion7();
        var paid = Guid.CreateVersion7();
        await db.Store.AppendAsync(tenant,
        [
            OrderHistory.Stream(owed, [.. OrderHistory.Lifecycle(owed, 5, OrderHistory.Start), new Domain.Orders.OrderPaymentRequested(owed, 25.00m, OrderHistory.Start.AddHours(3))]),
            OrderHistory.Stream(paid, OrderHistory.Lifecycle(paid, 3, OrderHistory.Start, customer: "cust-2", currency: "USD")),
        ]);
        await ApplyTemplatesToLiveAsync(db);

        var rounds = events / EventsPerRound;
        const long roundsPerTransaction = 12_500; // 100,000 events a transaction, so the history spans many
        for (long first = 1; first <= rounds; first += roundsPerTransaction)
            await ExecuteAsync(db, CopyEvents, tenant, first, Math.Min(rounds, first + roundsPerTransaction - 1));
        await ExecuteAsync(db, CopyStreamsAndChainHead, tenant, 1L, rounds);
        await ExecuteAsync(db, CopyLiveRows, tenant, 1L, rounds);
        await ExecuteAsync(db, MoveLiveCheckpointToTheEnd);
        await ExecuteAsync(db, "ANALYZE events");
        await ExecuteAsync(db, "ANALYZE orders_rm_g1");
        return await db.AdminDataSource.ScalarAsync<long>("SELECT count(*) FROM events");
    }

    // The templates are the tenant's first events, in chain order; template order k is the k-th stream by id.
    private const string Templates = """
        WITH template AS (
            SELECT e.*, row_number() OVER (ORDER BY chain_seq) AS n, dense_rank() OVER (ORDER BY stream_id) AS k,
                   substring(stream_id FROM 7) AS order_id
              FROM events e WHERE tenant_id = $1 AND chain_seq <= 8)
        """;

    // Entry and chain hashes are copied from the templates, so they do not chain: projections never verify the chain
    // (the verifier and the export do, and this history is not for them).
    private const string CopyEvents = Templates + """
        INSERT INTO events (tenant_id, chain_seq, stream_id, stream_version, event_id, event_type, type_version, occurred_at,
                            data, metadata, entry_hash, chain_hash)
        SELECT t.tenant_id, 8 + (g - 1) * 8 + t.n, 'order-' || id, t.stream_version, gen_random_uuid(), t.event_type, t.type_version,
               t.occurred_at, replace(t.data::text, t.order_id, id)::jsonb, t.metadata, t.entry_hash, t.chain_hash
          FROM generate_series($2::bigint, $3::bigint) g CROSS JOIN template t
         CROSS JOIN LATERAL (SELECT md5(g || ':' || t.k)::uuid::text AS id) o
         ORDER BY g, t.n
        """;

    // The store's own appends go on after the copies: the chain head moves to the last copied event.
    private const string CopyStreamsAndChainHead = Templates + """
        , copied AS (
            INSERT INTO streams (tenant_id, stream_id, version)
            SELECT $1, 'order-' || md5(g || ':' || k)::uuid, max(stream_version)
              FROM generate_series($2::bigint, $3::bigint) g CROSS JOIN template GROUP BY g, k)
        UPDATE chain_heads SET chain_seq = (SELECT max(chain_seq) FROM events WHERE tenant_id = $1) WHERE tenant_id = $1
        """;

    private const string CopyLiveRows = """
        WITH template AS (
            SELECT r, dense_rank() OVER (ORDER BY 'order-' || r.order_id::text) AS k FROM orders_rm_g1 r WHERE tenant_id = $1)
        INSERT INTO orders_rm_g1
        SELECT (jsonb_populate_record(t.r, jsonb_build_object('order_id', md5(g || ':' || t.k)::uuid))).*
          FROM generate_series($2::bigint, $3::bigint) g CROSS JOIN template t
        """;

    private const string MoveLiveCheckpointToTheEnd = """
        UPDATE projection_checkpoints c
           SET tx_id = last.tx_id, seq = last.seq, last_recorded_at = last.recorded_at, events_processed = (SELECT count(*) FROM events)
          FROM (SELECT tx_id, seq, recorded_at FROM events ORDER BY tx_id DESC, seq DESC LIMIT 1) last
         WHERE c.name = 'orders' AND c.generation = 1
        """;

    private static async Task ApplyTemplatesToLiveAsync(TestDatabase db)
    {
        await using var dataSource = ProjectionDataSource.Create(db.AppConnectionString, "templates");
        var runner = new ProjectionRunner(new OrdersProjection(), 1, dataSource, db.Store, new ProjectionDaemonOptions(), NullLogger.Instance);
        StepOutcome outcome;
        while ((outcome = await runner.StepAsync(CancellationToken.None)) != StepOutcome.Idle)
        {
            outcome.ShouldNotBeOneOf(StepOutcome.Stopped, StepOutcome.Retired);
            await Task.Yield(); // blocked: another test's open transaction holds the read horizon back for a moment
        }
        (await db.AdminDataSource.ScalarAsync<long>("SELECT count(*) FROM orders_rm_g1")).ShouldBe(OrdersPerRound);
    }

    private static async Task ExecuteAsync(TestDatabase db, string sql, params object[] parameters)
    {
        await using var command = db.AdminDataSource.CreateCommand(sql);
        command.CommandTimeout = 600;
        foreach (var p in parameters) command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = p });
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The size from <c>LEDGER_REBUILD_TEST_EVENTS</c> (for a quicker run), else <paramref name="fallback"/>.</summary>
    public static long Size(long fallback) =>
        long.TryParse(Environment.GetEnvironmentVariable("LEDGER_REBUILD_TEST_EVENTS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n : fallback;
}

using System.Globalization;
using Ledger.EventStore.MartenStore;
using Ledger.Projections.OnMarten;
using Marten;
using Ledger.Projections.Orders;
using Ledger.TestSupport;

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
    /// generation (g1) is filled by copying the templates' rows in the same way and its progress set to the end, as if
    /// Marten's daemon had applied them all. Returns how many events the store then holds.
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
        await db.SealedAsync();
        await ApplyTemplatesToLiveAsync(db);

        // The copies are sealed here, set-based (their chain entries are placeholders: projections never verify the
        // chain, and this history is not for the verifier or the export); the sealer is stopped meanwhile and then
        // resumes from the end, as if it had sealed them itself.
        await db.StopSealingAsync();
        var rounds = events / EventsPerRound;
        const long roundsPerTransaction = 12_500; // 100,000 events a transaction, so the history spans many
        await ExecuteAsync(db, CopyStreams, tenant, 1L, rounds); // first: Marten's events refer to their stream's row
        for (long first = 1; first <= rounds; first += roundsPerTransaction)
            await ExecuteAsync(db, CopyEvents, tenant, first, Math.Min(rounds, first + roundsPerTransaction - 1));
        await ExecuteAsync(db, SealCopies, tenant);
        await ExecuteAsync(db, MoveSealerToTheEnd);
        await ExecuteAsync(db, CopyLiveRows, tenant, 1L, rounds);
        await ExecuteAsync(db, MoveLiveCheckpointToTheEnd);
        await ExecuteAsync(db, "ANALYZE mt_events");
        await ExecuteAsync(db, "ANALYZE ledger_chain");
        await ExecuteAsync(db, "ANALYZE orders_rm_g1");
        await db.StartSealingAsync();
        return await db.AdminDataSource.ScalarAsync<long>("SELECT count(*) FROM ledger_chain");
    }

    // The templates are the tenant's first events, in Marten's order; template order k is the k-th stream by id.
    private const string Templates = """
        WITH template AS (
            SELECT e.*, row_number() OVER (ORDER BY seq_id) AS n, dense_rank() OVER (ORDER BY stream_id) AS k,
                   substring(stream_id FROM 7) AS order_id
              FROM mt_events e
             WHERE seq_id IN (SELECT seq_id FROM mt_events WHERE tenant_id = $1 ORDER BY seq_id LIMIT 8))
        """;

    // Drawn from Marten's sequence in the copies' order (the sorted subquery), so each copied stream's versions follow
    // seq_id as appends' do.
    private const string CopyEvents = Templates + """
        INSERT INTO mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type,
                               correlation_id, causation_id, headers, is_archived)
        SELECT nextval('mt_events_sequence'), gen_random_uuid(), c.stream_id, c.version, c.data, c.type, c.timestamp, c.tenant_id,
               c.mt_dotnet_type, c.correlation_id, c.causation_id, c.headers, false
          FROM (SELECT 'order-' || o.new_id AS stream_id, t.version, replace(t.data::text, t.order_id, o.new_id)::jsonb AS data, t.type,
                       t.timestamp, t.tenant_id, t.mt_dotnet_type, t.correlation_id, t.causation_id, t.headers
                  FROM generate_series($2::bigint, $3::bigint) g CROSS JOIN template t
                 CROSS JOIN LATERAL (SELECT md5(g || ':' || t.k)::uuid::text AS new_id) o
                 ORDER BY g, t.n) c
        """;

    private const string CopyStreams = Templates + """
        INSERT INTO mt_streams (tenant_id, id, version)
        SELECT $1, 'order-' || md5(g || ':' || k)::uuid, max(version)
          FROM generate_series($2::bigint, $3::bigint) g CROSS JOIN template GROUP BY g, k
        """;

    private const string SealCopies = """
        WITH copies AS (
            INSERT INTO ledger_chain (tenant_id, chain_seq, seq_id, entry_hash, chain_hash)
            SELECT e.tenant_id, h.chain_seq + row_number() OVER (ORDER BY e.seq_id), e.seq_id,
                   sha256(e.seq_id::text::bytea), sha256(e.seq_id::text::bytea)
              FROM mt_events e JOIN ledger_chain_heads h ON h.tenant_id = e.tenant_id
             WHERE e.tenant_id = $1 AND NOT EXISTS (SELECT 1 FROM ledger_chain c WHERE c.seq_id = e.seq_id)
            RETURNING chain_seq, chain_hash)
        UPDATE ledger_chain_heads SET chain_seq = (SELECT max(chain_seq) FROM copies),
               chain_hash = (SELECT chain_hash FROM copies ORDER BY chain_seq DESC LIMIT 1)
         WHERE tenant_id = $1
        """;

    private const string MoveSealerToTheEnd = """
        UPDATE mt_event_progression SET last_seq_id = (SELECT max(seq_id) FROM ledger_chain) WHERE name LIKE 'LedgerChain:%'
        """;

    private const string CopyLiveRows = """
        WITH template AS (
            SELECT r, dense_rank() OVER (ORDER BY 'order-' || r.order_id::text) AS k FROM orders_rm_g1 r WHERE tenant_id = $1)
        INSERT INTO orders_rm_g1
        SELECT (jsonb_populate_record(t.r, jsonb_build_object('order_id', md5(g || ':' || t.k)::uuid))).*
          FROM generate_series($2::bigint, $3::bigint) g CROSS JOIN template t
        """;

    private const string MoveLiveCheckpointToTheEnd = """
        UPDATE mt_event_progression SET last_seq_id = (SELECT max(seq_id) FROM mt_events) WHERE name = 'orders:All'
        """;

    private static async Task ApplyTemplatesToLiveAsync(TestDatabase db)
    {
        var options = new ProjectionOptions();
        var live = ReadModelRegistration.Create([new OrdersProjection()], db.AppDataSource, TestDatabase.Shapes(), TestDatabase.Json, options);
        await using var store = DocumentStore.For(marten =>
        {
            marten.Connection(db.AppDataSource);
            LedgerMarten.Configure(marten, db.Schema, TestDatabase.Shapes(), TestDatabase.Json);
            marten.AddReadModels(live, options);
        });
        using var daemon = await store.BuildProjectionDaemonAsync();
        await daemon.StartAgentAsync(live[0].ShardName, CancellationToken.None);
        await db.CaughtUpAsync([OrdersProjection.ProjectionName]);
        await daemon.StopAllAsync();
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

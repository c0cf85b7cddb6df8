using Ledger.Bench.Infrastructure;
using Ledger.Bench.Report;
using Ledger.EventStore;
using Ledger.EventStore.Connections;
using Ledger.Projections;
using Ledger.Projections.OnMarten;
using Ledger.Projections.Orders;
using Npgsql;

namespace Ledger.Bench.Scenarios;

/// <summary>
/// Scenario 5: the orders read model rebuilt from zero over the stored events (<see cref="ProjectionRebuild"/>: a new
/// generation built as the projection's next Marten version on a daemon of its own, then swapped in), against the
/// equivalent set-based SQL over the same rows of <c>mt_events</c>: one INSERT … SELECT … ON CONFLICT per 1,000 events,
/// in store order, with a checkpoint row, one transaction per batch, into a table with the same columns and indexes
/// (without row-level security). The live orders projection runs beside the sealer on the ledger's daemon, as the Host
/// registers it; it is at the head (and idle) while the rebuilds run, since a rebuild builds up to where it stands.
/// </summary>
public sealed class ProjectionScenario(BenchSettings settings, BenchDatabase database)
{
    private const int Tenants = 10;

    /// <summary>The steady load of the lag measure: a few hundred appends a second, well under saturation.</summary>
    private const double LagRate = 300;

    private const string BaselineTables = """
        CREATE TABLE orders_base (
            tenant_id text NOT NULL, order_id uuid NOT NULL, status text, status_version bigint NOT NULL DEFAULT 0,
            customer_id text, currency text, total numeric, paid_amount numeric, created_at timestamptz,
            payment_requested_at timestamptz, payment_failed_at timestamptz, paid_at timestamptz, fulfilled_at timestamptz,
            cancelled_at timestamptz, updated_at timestamptz, PRIMARY KEY (tenant_id, order_id));
        CREATE INDEX ON orders_base (tenant_id, created_at, order_id);
        CREATE INDEX ON orders_base (tenant_id, status, created_at, order_id);
        CREATE INDEX ON orders_base (tenant_id, customer_id, created_at, order_id);
        CREATE TABLE checkpoint_base (name text PRIMARY KEY, seq bigint NOT NULL);
        """;

    // One batch: the next 1,000 events in the store's order (Marten's seq_id, the table its daemon reads), folded
    // set-based, and where the batch ended.
    private const string BaselineBatch = """
        WITH batch AS (
            SELECT seq_id AS seq, tenant_id, type AS event_type, version AS stream_version, timestamp AS occurred_at, data
              FROM mt_events
             WHERE seq_id > $1
             ORDER BY seq_id LIMIT 1000),
        upserted AS (
            INSERT INTO orders_base AS o (tenant_id, order_id, status, status_version, updated_at, customer_id, currency, total, created_at)
            SELECT tenant_id, (data->>'order_id')::uuid, 'created', stream_version, occurred_at,
                   data->>'customer_id', data->>'currency', (data->>'total')::numeric, occurred_at
              FROM batch WHERE event_type = 'commerce.order.created'
            ON CONFLICT (tenant_id, order_id) DO UPDATE SET
                customer_id = excluded.customer_id, currency = excluded.currency, total = excluded.total, created_at = excluded.created_at,
                status = CASE WHEN excluded.status_version > o.status_version THEN excluded.status ELSE o.status END,
                status_version = greatest(o.status_version, excluded.status_version))
        SELECT seq, (SELECT count(*) FROM batch) FROM batch ORDER BY seq DESC LIMIT 1
        """;

    public async Task<ScenarioOutcome> RunAsync()
    {
        var n = settings.ProjectionEvents;
        Log.Line($"5. Projection catch-up: preloading {n:N0} order events");
        await using var ledger = await database.CreateLedgerAsync("s5", 100, ProjectionMigrations.Set);
        await OrderEvents.PreloadAsync(ledger.Store, n, Tenants);
        // Sealed before anything is measured, so the sealer is idle through the rounds.
        await ledger.SealedAsync();

        // The live orders projection on the sealer's daemon, with the Host's settings, as the Host registers both. A
        // rebuild builds its generation up to where the live projection stands, so it catches up to the head first.
        var head = new GlobalPosition(await ledger.Ledger.LastEventAsync());
        var live = ReadModelRegistration.Create([new OrdersProjection()], ledger.App, ledger.Ledger.Shapes, MartenLedger.Json, LiveOptions);
        await ledger.StartSealingAsync(DaemonTuning.HostSetting, options => options.AddReadModels(live, LiveOptions));
        var caughtUp = System.Diagnostics.Stopwatch.GetTimestamp();
        var positions = new ProjectionPositions(ledger.Admin);
        if (!await positions.WaitForAsync(OrdersProjection.ProjectionName, head, TimeSpan.FromMinutes(30)))
            throw new TimeoutException($"the live orders projection did not reach {head} (at {await positions.CurrentAsync(OrdersProjection.ProjectionName)})");
        var liveCatchUp = System.Diagnostics.Stopwatch.GetElapsedTime(caughtUp);
        Log.Line($"  5 the live orders projection caught up from zero in {liveCatchUp.TotalSeconds:F1} s " +
                 $"({n / liveCatchUp.TotalSeconds:N0} events/s, pages of {LiveOptions.BatchSize}, one run, cold: the process's first projection work)");

        await using (var tables = ledger.Admin.CreateCommand(BaselineTables)) await tables.ExecuteNonQueryAsync();
        await BenchDatabase.AnalyzeAsync(ledger.Admin, "mt_events", "mt_streams", "ledger_chain", "ledger_chain_heads");
        // The rebuild's own pool, as the CLI gives it (LedgerDataSource: auto-prepare, the application role).
        await using var rebuildDb = LedgerDataSource.Create(
            new NpgsqlConnectionStringBuilder(ledger.App.ConnectionString) { Password = BenchDatabase.AppPassword }.ConnectionString, "bench-rebuild");
        var rebuildOptions = new ProjectionOptions { BatchSize = 1000 };

        var ledgerSide = new Side("ProjectionRebuild", async warmUp =>
        {
            var rebuild = new ProjectionRebuild(new OrdersProjection(), rebuildDb, ledger.Admin, ledger.Ledger.Shapes, MartenLedger.Json,
                rebuildOptions, BenchDatabase.AppRole, DaemonLogger.Instance);
            var phases = new RebuildPhases();
            var result = await rebuild.RunAsync(restart: true, phases, CancellationToken.None);
            var elapsed = phases.Elapsed;
            if (result.Failure is not null) throw new InvalidOperationException($"the rebuild stopped at {result.Failure}: {result.LastError}");
            Log.Line($"    rebuild g{result.Generation}: {phases}");
            return RoundResult.Throughput(await RebuiltAsync(ledger.Admin, result, n), elapsed);
        });
        var baselineSide = new Side("set-based SQL", _ => FoldSetBased(ledger.Admin));
        var outcomes = await Rounds.Rotate(settings.WholeStoreRounds, "events/s", [baselineSide, ledgerSide], label: "5");

        Log.Line($"5. lag: appending {LagRate} orders/s for {settings.RoundDuration.TotalSeconds:F0} s with the live projection running");
        var lag = await ProjectionLag.MeasureAsync(ledger, positions, LagRate, settings.RoundDuration);
        Log.Line($"  5 lag: p50 {lag.P50Ms:F1} ms, p99 {lag.P99Ms:F1} ms over {lag.Orders} orders");
        return new ScenarioOutcome([new ResultRow
        {
            Scenario = "5. Projection catch-up",
            Measure = $"events/s, orders read model from zero over {n:N0} order-created events",
            Figures = outcomes[1].Against(outcomes[0]),
            Goal = "≥ 0.5×",
            GoalRatio = 0.5,
            Notes = "Ledger: ProjectionRebuild on Marten's async daemon: a new generation's tables, the orders read model run " +
                    "into them as its next Marten projection version (shard orders:V{n}:All) on a daemon of its own, pages of 1,000 " +
                    "(set-based upserts), stopped within 2,000 events of the live projection (at the head, idle) and swapped in " +
                    "(GenerationSwap catches it up in the swap's transaction), the old generation dropped; timed from start to swap, " +
                    "its rows checked after each round; " +
                    "baseline: one INSERT … SELECT … ON CONFLICT per 1,000 events of mt_events (the table the daemon reads) with a " +
                    "checkpoint row, same indexes; " +
                    $"CPU per event: {outcomes[1].CpuPerOperation} (baseline {outcomes[0].CpuPerOperation}). Where the gap comes from: " +
                    "the baseline never leaves the server (it reads and folds in one statement), while the daemon reads every " +
                    "event to the client, Marten deserializes its data into the stored shape, ReadModelProjection serializes that " +
                    "back to JSON for the read model's codec, which decodes it again, and the rows go back as arrays (one statement " +
                    "per shape and tenant, run by Marten with the shard's progress): the client's CPU per event is that round trip; " +
                    "docs/performance.md",
        }, new ResultRow
        {
            Scenario = "5. Projection lag",
            Measure = $"end-to-end lag (append returned → row visible in the orders read model) at {lag.Rate:N0} orders/s, open loop, {lag.Orders:N0} orders",
            Goal = "(informative: p99)",
            Verdict = "—",
            Notes = $"p50 {lag.P50Ms:F1} ms, p99 {lag.P99Ms:F1} ms (the appends themselves, from when each was due: p50 {lag.AppendP50Ms:F1} ms, " +
                    $"p99 {lag.AppendP99Ms:F1} ms); the live orders projection on Marten's async daemon in the appending process, " +
                    "registered beside the chain sealer on one daemon as in the Host (pages of 500), reading mt_events up to Marten's " +
                    "high-water mark, which it polls every 10 ms (LedgerMarten.DefaultSealPolling; no AppendSignal wake-ups any more); " +
                    "the projection no longer reads the sealed ledger, so the seal lag is not in it; " +
                    "visible = the first read of the live shard's progress (orders:All in mt_event_progression, committed with the row) " +
                    $"at or past the append, read back to back (one read every {lag.WatcherPollMs:F1} ms on average)",
        }], []);
    }

    /// <summary>The live projection's settings: the Host's defaults.</summary>
    private static readonly ProjectionOptions LiveOptions = new();

    /// <summary>
    /// The events the rebuild went through (every one up to its position), after checking that the generation it
    /// swapped in holds every order: a rebuild that swapped early (the live projection behind) would be fast and wrong.
    /// </summary>
    private static async Task<long> RebuiltAsync(NpgsqlDataSource admin, RebuildResult result, int orders)
    {
        await using var command = admin.CreateCommand(
            "SELECT (SELECT count(*) FROM mt_events WHERE seq_id <= $1), (SELECT count(*) FROM orders_rm WHERE status IS NOT NULL)");
        command.Parameters.Add(new() { Value = result.Position });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var (events, rows) = (reader.GetInt64(0), reader.GetInt64(1));
        if (rows < orders)
            throw new InvalidOperationException($"generation {result.Generation} was swapped in with {rows} orders of {orders} (position {result.Position})");
        return events;
    }

    /// <summary>
    /// Where a rebuild's time went, from its progress reports (one each 50 ms turn of its loop, so to within 50 ms; the
    /// last one after the swap): until its daemon had applied a first page, building, and from its last page to the swap.
    /// </summary>
    private sealed class RebuildPhases : IProgress<RebuildProgress>
    {
        private readonly long started = System.Diagnostics.Stopwatch.GetTimestamp();
        private readonly List<(TimeSpan At, long Position)> reports = [];

        public TimeSpan Elapsed => System.Diagnostics.Stopwatch.GetElapsedTime(started);

        public void Report(RebuildProgress value) => reports.Add((Elapsed, value.Position));

        public override string ToString()
        {
            var total = Elapsed;
            var building = reports.Count > 1 ? reports[..^1] : reports;
            var first = building.FirstOrDefault(r => r.Position > 0).At;
            var built = building.Where((r, i) => i == 0 || r.Position != building[i - 1].Position).Select(r => r.At).DefaultIfEmpty(first).Last();
            return $"{total.TotalSeconds:F2} s: first page after {first.TotalSeconds:F2} s, building until {built.TotalSeconds:F2} s, " +
                   $"then {(total - built).TotalSeconds:F2} s to stop, catch up and swap";
        }
    }

    private static async Task<RoundResult> FoldSetBased(NpgsqlDataSource admin)
    {
        await using (var reset = admin.CreateCommand("TRUNCATE orders_base; DELETE FROM checkpoint_base; INSERT INTO checkpoint_base VALUES ('orders', 0)"))
            await reset.ExecuteNonQueryAsync();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        long total = 0, seq = 0;
        while (true)
        {
            await using var connection = await admin.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using var batch = new NpgsqlCommand(BaselineBatch, connection, transaction);
            batch.Parameters.Add(new() { Value = seq });
            long count = 0;
            await using (var reader = await batch.ExecuteReaderAsync())
            {
                if (await reader.ReadAsync()) (seq, count) = (reader.GetInt64(0), reader.GetInt64(1));
            }
            if (count == 0) break;
            await using (var checkpoint = new NpgsqlCommand("UPDATE checkpoint_base SET seq = $1 WHERE name = 'orders'", connection, transaction))
            {
                checkpoint.Parameters.Add(new() { Value = seq });
                await checkpoint.ExecuteNonQueryAsync();
            }
            await transaction.CommitAsync();
            total += count;
        }
        return RoundResult.Throughput(total, System.Diagnostics.Stopwatch.GetElapsedTime(started));
    }
}

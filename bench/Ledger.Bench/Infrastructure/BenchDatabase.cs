using Ledger.EventStore.MartenStore;
using Ledger.EventStore.Migrations;
using Npgsql;

namespace Ledger.Bench.Infrastructure;

/// <summary>
/// The PostgreSQL server the bench measures: <c>LEDGER_PG_ADMIN</c>, or the local cluster scripts/pg.sh starts
/// (the Makefile runs the bench under scripts/services.sh, as the tests run). Every scenario gets schemas of its
/// own, named <c>bench_…</c>, so nothing collides with tests running at the same time; they are dropped at the end.
/// </summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    public const string AppRole = "ledger_app";
    public const string AppPassword = "ledger_app";

    private readonly List<string> schemas = [];
    private readonly List<NpgsqlDataSource> dataSources = [];
    private readonly List<LedgerSchema> ledgers = [];

    public BenchDatabase()
    {
        Server = NpgsqlDataSource.Create(AdminConnectionString);
    }

    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable("LEDGER_PG_ADMIN") is { Length: > 0 } configured
            ? configured
            : "Host=127.0.0.1;Port=55432;Username=postgres;Database=ledger";

    /// <summary>The admin connection without a schema: machine facts, settings.</summary>
    public NpgsqlDataSource Server { get; }

    /// <summary>
    /// A fresh Ledger schema on Marten (<see cref="MartenLedger"/>: Marten's objects, the chain and <paramref name="modules"/>
    /// applied by the owner), its store connected as the append-only application role through the Host's pool, and the
    /// chain sealer running on Marten's async daemon as the Host runs it. Dispose it when the scenario is done: a running
    /// daemon polls every 10 ms and would share the cores with the next scenario.
    /// </summary>
    public async Task<LedgerSchema> CreateLedgerAsync(string name, int maxPoolSize = 100, params MigrationSet[] modules)
    {
        var ledger = new LedgerSchema(await MartenLedger.CreateAsync(this, name, maxPoolSize, modules));
        ledgers.Add(ledger);
        await ledger.StartSealingAsync(DaemonTuning.HostSetting);
        return ledger;
    }

    /// <summary>An empty schema for a baseline's plain tables, reached as the admin role.</summary>
    public async Task<NpgsqlDataSource> CreateBaselineAsync(string name, string ddl, int maxPoolSize = 100)
    {
        var schema = NewSchemaName(name);
        await using (var create = Server.CreateCommand($"CREATE SCHEMA {Migrator.Quote(schema)}"))
            await create.ExecuteNonQueryAsync();
        var dataSource = Admin(schema, maxPoolSize);
        await using (var tables = dataSource.CreateCommand(ddl))
            await tables.ExecuteNonQueryAsync();
        return dataSource;
    }

    /// <summary>A schema name that something else (the Host) will create; dropped at the end like the others.</summary>
    public string ReserveSchema(string name) => NewSchemaName(name);

    /// <summary>An admin data source on a schema something else created.</summary>
    public NpgsqlDataSource AdminOn(string schema) => Admin(schema, 10);

    /// <summary>Fresh statistics before measuring: plans made for an empty table collapse as it fills.</summary>
    public static async Task AnalyzeAsync(NpgsqlDataSource dataSource, params string[] tables)
    {
        foreach (var table in tables)
        {
            await using var analyze = dataSource.CreateCommand($"VACUUM (ANALYZE) {table}");
            await analyze.ExecuteNonQueryAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var ledger in ledgers) await ledger.DisposeAsync();
        foreach (var dataSource in dataSources) await dataSource.DisposeAsync();
        foreach (var schema in schemas)
        {
            try
            {
                await using var drop = Server.CreateCommand($"DROP SCHEMA IF EXISTS {Migrator.Quote(schema)} CASCADE");
                drop.CommandTimeout = 600;
                await drop.ExecuteNonQueryAsync();
            }
            catch (NpgsqlException e)
            {
                Console.Error.WriteLine($"bench: could not drop schema {schema}: {e.Message}");
            }
        }
        await Server.DisposeAsync();
    }

    private NpgsqlDataSource Admin(string schema, int maxPoolSize) => Track(NpgsqlDataSource.Create(
        new NpgsqlConnectionStringBuilder(AdminConnectionString) { SearchPath = schema, MaxPoolSize = maxPoolSize, CommandTimeout = 600 }.ConnectionString));

    private NpgsqlDataSource Track(NpgsqlDataSource dataSource)
    {
        dataSources.Add(dataSource);
        return dataSource;
    }

    private string NewSchemaName(string name)
    {
        var schema = $"bench_{name}_{Guid.NewGuid():N}"[..Math.Min(name.Length + 14, 60)];
        schemas.Add(schema);
        return schema;
    }
}

/// <summary>
/// A Ledger schema with its store and its sealing daemon: <see cref="App"/> as the application role (the store's),
/// <see cref="Admin"/> as the owner. The daemon can be stopped (a preload to seal later, as a backlog) and started again
/// with another tuning; it carries on from the sealer's committed progress.
/// </summary>
public sealed class LedgerSchema(MartenLedger ledger) : IAsyncDisposable
{
    private static readonly TimeSpan DefaultSealDeadline = TimeSpan.FromMinutes(10);
    private MartenLedger.Running? sealing;
    private bool disposed;

    public MartenLedger Ledger => ledger;
    public string Name => ledger.Schema;
    public NpgsqlDataSource App => ledger.App;
    public NpgsqlDataSource Admin => ledger.Admin;

    /// <summary>The store and daemon in use now.</summary>
    public MartenLedger.Running Sealing => sealing ?? throw new InvalidOperationException($"{Name}: no store started");

    /// <summary>The production store (<see cref="MartenEventStore"/>), appending whether or not the daemon runs.</summary>
    public MartenEventStore Store => Sealing.EventStore;

    /// <summary>Stops the sealer (appends go on; what they add is sealed once it starts again).</summary>
    public Task StopSealingAsync() => Sealing.Daemon.StopAllAsync();

    /// <summary>
    /// A new store and daemon with <paramref name="tuning"/>, after stopping the one in use; <paramref name="configure"/>
    /// adds to it (projections that run on the same daemon as the sealer).
    /// </summary>
    public async Task StartSealingAsync(DaemonTuning tuning, Action<Marten.StoreOptions>? configure = null)
    {
        if (sealing is not null) await sealing.DisposeAsync();
        sealing = await ledger.StartAsync(tuning, configure);
    }

    /// <summary>Waits until every event committed so far is sealed (ReadAll and <c>ledger_events</c> see only sealed events).</summary>
    public async Task SealedAsync(TimeSpan? deadline = null) =>
        await Sealing.SealedAsync(await ledger.LastEventAsync(), deadline ?? DefaultSealDeadline);

    public async ValueTask DisposeAsync()
    {
        if (disposed) return;
        disposed = true;
        if (sealing is not null) await sealing.DisposeAsync();
        await ledger.DisposeAsync();
    }
}

using Ledger.EventStore;
using Ledger.EventStore.Connections;
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

    /// <summary>A fresh, migrated event store schema; the store connects as the append-only application role, as the Host does.</summary>
    public async Task<LedgerSchema> CreateLedgerAsync(string name, int maxPoolSize = 100, params MigrationSet[] modules)
    {
        var schema = NewSchemaName(name);
        await Migrator.EnsureLoginRoleAsync(Server, AppRole, AppPassword);
        await Migrator.MigrateAsync(Server, schema, AppRole, [MigrationSet.EventStore, .. modules]);
        // The application's pool exactly as the Host builds it (LedgerDataSource: no reset on close).
        var app = Track(LedgerDataSource.Create(new NpgsqlConnectionStringBuilder(AdminConnectionString)
        {
            Username = AppRole, Password = AppPassword, SearchPath = schema, MaxPoolSize = maxPoolSize,
        }.ConnectionString, "ledger-bench"));
        return new LedgerSchema(schema, app, Admin(schema, maxPoolSize));
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

/// <summary>A migrated store schema: <see cref="App"/> as the application role (the store's), <see cref="Admin"/> as its owner.</summary>
public sealed record LedgerSchema(string Name, NpgsqlDataSource App, NpgsqlDataSource Admin)
{
    public PostgresEventStore Store() => new(App);
}

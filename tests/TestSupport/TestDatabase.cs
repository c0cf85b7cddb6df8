using Ledger.EventStore;
using Ledger.EventStore.Connections;
using Ledger.EventStore.Migrations;
using Npgsql;

namespace Ledger.TestSupport;

/// <summary>
/// A fresh, migrated schema in the test PostgreSQL server (started by scripts/pg.sh), so test classes
/// run in parallel without seeing each other. The application's data source connects as the restricted
/// application role, exactly as the Host does; the admin one as the owner, for what tests must inspect
/// or tamper with. The schema is dropped on dispose.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string AppRole = "ledger_app";
    public const string AppPassword = "ledger_app";

    private TestDatabase(string schema, string adminConnectionString, string appConnectionString)
    {
        Schema = schema;
        AdminConnectionString = adminConnectionString;
        AppConnectionString = appConnectionString;
        AdminDataSource = NpgsqlDataSource.Create(adminConnectionString);
        AppDataSource = LedgerDataSource.Create(appConnectionString, "ledger-tests"); // as the Host connects
        EventStore = new PostgresEventStore(AppDataSource);
    }

    public string Schema { get; }
    public string AdminConnectionString { get; }
    public string AppConnectionString { get; }
    public NpgsqlDataSource AdminDataSource { get; }
    public NpgsqlDataSource AppDataSource { get; }
    public IEventStore Store => EventStore;
    public PostgresEventStore EventStore { get; }

    /// <summary>The server's admin connection string: <c>LEDGER_PG_ADMIN</c>, a container, or the local test cluster (<see cref="TestServers"/>).</summary>
    public static string ServerAdminConnectionString => TestServers.PostgresAdmin;

    /// <summary>A fresh schema with the event store's migrations and those of the given modules.</summary>
    public static async Task<TestDatabase> CreateAsync(params MigrationSet[] modules)
    {
        var ct = CancellationToken.None;
        var schema = "t_" + Guid.NewGuid().ToString("N")[..16];
        var admin = new NpgsqlConnectionStringBuilder(ServerAdminConnectionString) { SearchPath = schema };
        var app = new NpgsqlConnectionStringBuilder(ServerAdminConnectionString)
        {
            Username = AppRole, Password = AppPassword, SearchPath = schema,
        };
        await using (var server = NpgsqlDataSource.Create(ServerAdminConnectionString))
        {
            await Migrator.EnsureLoginRoleAsync(server, AppRole, AppPassword, ct);
            await Migrator.MigrateAsync(server, schema, AppRole, [MigrationSet.EventStore, .. modules], ct);
        }
        return new TestDatabase(schema, admin.ConnectionString, app.ConnectionString);
    }

    /// <summary>A tenant id no other test uses.</summary>
    public static string NewTenant(string prefix = "tenant") => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)];

    public async ValueTask DisposeAsync()
    {
        await AppDataSource.DisposeAsync();
        await using (var drop = AdminDataSource.CreateCommand($"DROP SCHEMA IF EXISTS {Migrator.Quote(Schema)} CASCADE"))
            await drop.ExecuteNonQueryAsync();
        await AdminDataSource.DisposeAsync();
    }
}

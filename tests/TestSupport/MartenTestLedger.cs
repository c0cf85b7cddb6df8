using System.Text.Json;
using Ledger.EventStore;
using Ledger.EventStore.Connections;
using Ledger.EventStore.MartenStore;
using Ledger.EventStore.Migrations;
using JasperFx.Events.Daemon;
using Marten;
using Npgsql;

namespace Ledger.TestSupport;

/// <summary>
/// A fresh schema with Marten's event store and Ledger's chain over it, in the real test PostgreSQL: Marten's objects
/// and Ledger's applied by the owner, the store and the async daemon (running the chain sealer) connected as the
/// restricted application role, as the Host connects. The schema is dropped on dispose.
/// </summary>
public sealed class MartenTestLedger : IAsyncDisposable
{
    private readonly SealProgress _progress;
    private IProjectionDaemon? _daemon;

    private MartenTestLedger(string schema, string admin, string app, EventShapes shapes, JsonSerializerOptions json)
    {
        Schema = schema;
        AdminConnectionString = admin;
        AppConnectionString = app;
        AdminDataSource = NpgsqlDataSource.Create(admin);
        AppDataSource = LedgerDataSource.Create(app, "ledger-tests");
        _progress = new SealProgress(AppDataSource);
        Store = DocumentStore.For(options =>
        {
            options.Connection(AppDataSource);
            LedgerMarten.Configure(options, schema, shapes, json);
            options.Events.Subscribe(new ChainSealer(AppDataSource, _progress.Sealed));
            options.Projections.Errors.SkipApplyErrors = false;
        });
        EventStore = new MartenEventStore(Store, AppDataSource, shapes, json);
    }

    public string Schema { get; }
    public string AdminConnectionString { get; }
    public string AppConnectionString { get; }
    public NpgsqlDataSource AdminDataSource { get; }
    public NpgsqlDataSource AppDataSource { get; }
    public DocumentStore Store { get; }
    public MartenEventStore EventStore { get; }
    public SealProgress Progress => _progress;

    /// <summary>A ledger whose daemon seals as events commit (<paramref name="sealing"/> false: the test starts it).</summary>
    public static Task<MartenTestLedger> CreateAsync(bool sealing = true, params MigrationSet[] modules) =>
        CreateAsync(TestEventShapes.Register(new EventShapes()), TestEventShapes.Json, sealing, modules);

    /// <summary>A ledger storing the given shapes, read and written with <paramref name="json"/> (the Host's: the codecs').</summary>
    public static async Task<MartenTestLedger> CreateAsync(EventShapes shapes, JsonSerializerOptions json, bool sealing = true,
        params MigrationSet[] modules)
    {
        var schema = "m_" + Guid.NewGuid().ToString("N")[..16];
        var server = TestDatabase.ServerAdminConnectionString;
        var admin = new NpgsqlConnectionStringBuilder(server) { SearchPath = schema };
        var app = new NpgsqlConnectionStringBuilder(server)
        {
            Username = TestDatabase.AppRole, Password = TestDatabase.AppPassword, SearchPath = schema,
        };
        await using (var serverSource = NpgsqlDataSource.Create(server))
            await Migrator.EnsureLoginRoleAsync(serverSource, TestDatabase.AppRole, TestDatabase.AppPassword);
        await MartenLedgerSchema.ApplyAsync(admin.ConnectionString, schema, TestDatabase.AppRole, shapes, json, modules);
        var ledger = new MartenTestLedger(schema, admin.ConnectionString, app.ConnectionString, shapes, json);
        if (sealing) await ledger.StartSealingAsync();
        return ledger;
    }

    public async Task StartSealingAsync()
    {
        _daemon ??= await Store.BuildProjectionDaemonAsync(logger: ConsoleErrorLogger.Instance);
        await _daemon.StartAllAsync();
    }

    public async Task StopSealingAsync()
    {
        if (_daemon is not null) await _daemon.StopAllAsync();
    }

    /// <summary>Waits until every event committed so far is sealed into its chain.</summary>
    public async Task SealedAsync(TimeSpan? timeout = null)
    {
        await using var command = AppDataSource.CreateCommand("SELECT coalesce(max(seq_id), 0) FROM mt_events");
        var last = (long)(await command.ExecuteScalarAsync())!;
        var wait = timeout ?? TimeSpan.FromSeconds(30);
        if (!await _progress.WaitForAsync(last, wait))
            throw new TimeoutException($"Events through seq {last} were not sealed within {wait.TotalSeconds} s (sealed through {_progress.Known}).");
    }

    public async ValueTask DisposeAsync()
    {
        if (_daemon is not null)
        {
            await _daemon.StopAllAsync();
            _daemon.Dispose();
        }
        await Store.DisposeAsync();
        await AppDataSource.DisposeAsync();
        await using (var drop = AdminDataSource.CreateCommand($"DROP SCHEMA IF EXISTS {Migrator.Quote(Schema)} CASCADE"))
            await drop.ExecuteNonQueryAsync();
        await AdminDataSource.DisposeAsync();
    }
}

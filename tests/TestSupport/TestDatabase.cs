using System.Text.Json;
using JasperFx.Events.Daemon;
using Ledger.Application;
using Ledger.Application.Json;
using Ledger.EventStore;
using Ledger.EventStore.Connections;
using Ledger.EventStore.MartenStore;
using Ledger.EventStore.Migrations;
using Ledger.EventStore.Privacy;
using Marten;
using Npgsql;

namespace Ledger.TestSupport;

/// <summary>
/// A fresh schema in the test PostgreSQL server with Marten's event store and Ledger's chain and modules over it, so
/// test classes run in parallel without seeing each other. Marten's objects and Ledger's migrations are applied by
/// the owner; the store and the async daemon (running the chain sealer, started unless the test says otherwise)
/// connect as the restricted application role, exactly as the Host does; the admin data source is for what tests must
/// inspect or tamper with. Every production event type and the store tests' made-up ones can be appended. The schema
/// is dropped on dispose.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string AppRole = "ledger_app";
    public const string AppPassword = "ledger_app";

    private IProjectionDaemon? _daemon;

    private TestDatabase(string schema, string adminConnectionString, string appConnectionString)
    {
        Schema = schema;
        AdminConnectionString = adminConnectionString;
        AppConnectionString = appConnectionString;
        AdminDataSource = NpgsqlDataSource.Create(adminConnectionString);
        AppDataSource = LedgerDataSource.Create(appConnectionString, "ledger-tests"); // as the Host connects
        Progress = new SealProgress(AppDataSource);
        var shapes = Shapes();
        Documents = DocumentStore.For(options =>
        {
            options.Connection(AppDataSource);
            LedgerMarten.Configure(options, schema, shapes, Json);
            LedgerAggregates.Register(options);
            options.Events.Subscribe(new ChainSealer(AppDataSource, through =>
            {
                Progress.Sealed(through);
                Sealed?.Invoke(through);
            }));
        });
        EventStore = new MartenEventStore(Documents, AppDataSource, shapes, Json);
        Store = new SealingStore(EventStore, Progress);
        SubjectKeys = new SubjectKeys(new MasterKeyRing(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
    }

    /// <summary>What the Host's store writes with: the codecs' JSON options (the store tests' shapes keep any JSON as is).</summary>
    public static JsonSerializerOptions Json => LedgerJson.Options;

    public string Schema { get; }

    /// <summary>The data subjects' keys, under a master key of this database's own.</summary>
    public SubjectKeys SubjectKeys { get; }
    public string AdminConnectionString { get; }
    public string AppConnectionString { get; }
    public NpgsqlDataSource AdminDataSource { get; }
    public NpgsqlDataSource AppDataSource { get; }
    public DocumentStore Documents { get; }
    /// <summary>The store whose appends return once sealed (<see cref="SealingStore"/>): what most tests want.</summary>
    public IEventStore Store { get; }

    /// <summary>The store itself: appends return at commit, before their events are sealed.</summary>
    public MartenEventStore EventStore { get; }
    public SealProgress Progress { get; }

    /// <summary>The daemon that runs the sealer, once sealing started.</summary>
    public IProjectionDaemon? SealingDaemon => _daemon;

    /// <summary>The same store reading through another data source (a process of its own, in a test).</summary>
    public MartenEventStore StoreOn(NpgsqlDataSource reads) => new(Documents, reads, Shapes(), Json);

    /// <summary>Raised after each sealed page, with how far the ledger is sealed (tests wake their readers with it).</summary>
    public event Action<long>? Sealed;

    /// <summary>The server's admin connection string: <c>LEDGER_PG_ADMIN</c>, a container, or the local test cluster (<see cref="TestServers"/>).</summary>
    public static string ServerAdminConnectionString => TestServers.PostgresAdmin;

    /// <summary>Every production event type, and the made-up ones store tests append (<see cref="TestEventShapes"/>).</summary>
    public static EventShapes Shapes() => TestEventShapes.Register(LedgerEventShapes.Register(new EventShapes()));

    /// <summary>A fresh schema with the event store, the chain sealing as events commit, and the given modules.</summary>
    public static Task<TestDatabase> CreateAsync(params MigrationSet[] modules) => CreateAsync(sealing: true, modules);

    /// <summary>
    /// As <see cref="CreateAsync(MigrationSet[])"/>; with <paramref name="sealing"/> false nothing seals until the test
    /// starts the sealer, or a Host under test runs its own (as end-to-end tests do: one sealer per ledger).
    /// </summary>
    public static async Task<TestDatabase> CreateAsync(bool sealing, params MigrationSet[] modules)
    {
        var schema = "t_" + Guid.NewGuid().ToString("N")[..16];
        var admin = new NpgsqlConnectionStringBuilder(ServerAdminConnectionString) { SearchPath = schema };
        var app = new NpgsqlConnectionStringBuilder(ServerAdminConnectionString)
        {
            Username = AppRole, Password = AppPassword, SearchPath = schema,
        };
        await using (var server = NpgsqlDataSource.Create(ServerAdminConnectionString))
            await Migrator.EnsureLoginRoleAsync(server, AppRole, AppPassword);
        await MartenLedgerSchema.ApplyAsync(admin.ConnectionString, schema, AppRole, Shapes(), Json,
            [MigrationSet.LedgerChain, MigrationSet.EventStore, .. modules]);
        var db = new TestDatabase(schema, admin.ConnectionString, app.ConnectionString);
        if (sealing) await db.StartSealingAsync();
        return db;
    }

    public async Task StartSealingAsync()
    {
        _daemon ??= await Documents.BuildProjectionDaemonAsync(logger: ConsoleErrorLogger.Instance);
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
        if (!await Progress.WaitForAsync(last, wait))
            throw new TimeoutException($"Events through seq {last} were not sealed within {wait.TotalSeconds} s (sealed through {Progress.Known}).");
    }

    /// <summary>A tenant id no other test uses.</summary>
    public static string NewTenant(string prefix = "tenant") => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)];

    public async ValueTask DisposeAsync()
    {
        if (_daemon is not null)
        {
            await _daemon.StopAllAsync();
            _daemon.Dispose();
        }
        await Documents.DisposeAsync();
        await AppDataSource.DisposeAsync();
        await using (var drop = AdminDataSource.CreateCommand($"DROP SCHEMA IF EXISTS {Migrator.Quote(Schema)} CASCADE"))
            await drop.ExecuteNonQueryAsync();
        await AdminDataSource.DisposeAsync();
    }
}

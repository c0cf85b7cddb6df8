using System.Text.Json;
using JasperFx.Events.Daemon;
using Ledger.Application;
using Ledger.Application.Json;
using Ledger.EventStore.Connections;
using Ledger.EventStore.MartenStore;
using Ledger.EventStore.Migrations;
using Marten;
using Npgsql;

namespace Ledger.Bench.Infrastructure;

/// <summary>
/// Ledger's production store on Marten in a bench schema, set up as the Host does: Marten's objects, Ledger's chain
/// and the modules' migrations applied by the owner (<see cref="MartenLedgerSchema"/>), the store and its async daemon
/// (running <see cref="ChainSealer"/>) connected as the append-only application role through the Host's pool
/// (<see cref="LedgerDataSource"/>). Every production event type can be appended, and the bench's own
/// (<see cref="BenchOrderRecorded"/>), with the Host's JSON options. The daemon's tuning can change between
/// measurements: <see cref="StartAsync"/> builds a store with it and starts its daemon, which carries on from the
/// sealer's committed progress.
/// </summary>
public sealed class MartenLedger : IAsyncDisposable
{
    private MartenLedger(string schema, NpgsqlDataSource app, NpgsqlDataSource admin, EventShapes shapes)
    {
        Schema = schema;
        App = app;
        Admin = admin;
        Shapes = shapes;
    }

    public string Schema { get; }
    public NpgsqlDataSource App { get; }
    /// <summary>The owner's connection on the schema, for the bench's own reads (analyze, the chain check).</summary>
    public NpgsqlDataSource Admin { get; }
    public EventShapes Shapes { get; }
    public static JsonSerializerOptions Json => LedgerJson.Options;

    public static async Task<MartenLedger> CreateAsync(BenchDatabase database, string name, int maxPoolSize = 100, params MigrationSet[] modules)
    {
        var schema = database.ReserveSchema(name);
        var shapes = BenchOrderRecorded.Register(LedgerEventShapes.Register(new EventShapes()));
        var owner = new NpgsqlConnectionStringBuilder(BenchDatabase.AdminConnectionString) { SearchPath = schema }.ConnectionString;
        await Migrator.EnsureLoginRoleAsync(database.Server, BenchDatabase.AppRole, BenchDatabase.AppPassword);
        await MartenLedgerSchema.ApplyAsync(owner, schema, BenchDatabase.AppRole, shapes, Json,
            [MigrationSet.LedgerChain, MigrationSet.EventStore, .. modules]);
        var app = LedgerDataSource.Create(new NpgsqlConnectionStringBuilder(BenchDatabase.AdminConnectionString)
        {
            Username = BenchDatabase.AppRole, Password = BenchDatabase.AppPassword, SearchPath = schema, MaxPoolSize = maxPoolSize,
        }.ConnectionString, "ledger-bench");
        return new MartenLedger(schema, app, database.AdminOn(schema), shapes);
    }

    /// <summary>
    /// A store with the daemon tuned as <paramref name="tuning"/> says, its sealer running, and whatever else
    /// <paramref name="configure"/> adds to the same daemon (the read models, as the Host registers them beside the sealer).
    /// </summary>
    public async Task<Running> StartAsync(DaemonTuning tuning, Action<StoreOptions>? configure = null)
    {
        var running = new Running(tuning, App, Shapes);
        running.Store = DocumentStore.For(options =>
        {
            options.Connection(App);
            LedgerMarten.Configure(options, Schema, Shapes, Json);
            options.Events.Subscribe(new ChainSealer(App, running.Sealed));
            options.Projections.Errors.SkipApplyErrors = false;
            tuning.Configure(options);
            configure?.Invoke(options);
        });
        running.EventStore = new MartenEventStore(running.Store, App, Shapes, Json);
        running.Daemon = await running.Store.BuildProjectionDaemonAsync(logger: DaemonLogger.Instance);
        await running.Daemon.StartAllAsync();
        return running;
    }

    /// <summary>The last <c>seq_id</c> Marten handed out (committed or not).</summary>
    public async Task<long> SequenceAsync()
    {
        await using var command = Admin.CreateCommand("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM mt_events_sequence");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The last committed event's <c>seq_id</c>.</summary>
    public async Task<long> LastEventAsync()
    {
        await using var command = Admin.CreateCommand("SELECT coalesce(max(seq_id), 0) FROM mt_events");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();

    /// <summary>One store with its daemon running; stop it before starting another on the same schema.</summary>
    public sealed class Running(DaemonTuning tuning, NpgsqlDataSource app, EventShapes shapes) : IAsyncDisposable
    {
        private bool disposed;

        public DaemonTuning Tuning { get; } = tuning;
        public DocumentStore Store { get; set; } = null!;
        public MartenEventStore EventStore { get; set; } = null!;
        public IProjectionDaemon Daemon { get; set; } = null!;
        public SealProgress Progress { get; } = new(app);

        /// <summary>The same store reading the ledger through another pool (a projection daemon's, as the Host gives it).</summary>
        public MartenEventStore StoreOn(NpgsqlDataSource reads) => new(Store, reads, shapes, Json);

        /// <summary>Told <c>sealed_through</c> after each page the sealer committed (the lag measurements and readers' wake-ups listen here).</summary>
        public event Action<long>? SealedThrough;

        public void Sealed(long through)
        {
            Progress.Sealed(through);
            SealedThrough?.Invoke(through);
        }

        /// <summary>Waits until every event through <paramref name="seq"/> is sealed.</summary>
        public async Task SealedAsync(long seq, TimeSpan timeout)
        {
            if (!await Progress.WaitForAsync(seq, timeout))
                throw new TimeoutException($"{Tuning.Name}: events through seq {seq} not sealed within {timeout.TotalSeconds} s (sealed through {Progress.Known})");
        }

        public async ValueTask DisposeAsync()
        {
            if (disposed) return;
            disposed = true;
            await Daemon.StopAllAsync();
            Daemon.Dispose();
            await Store.DisposeAsync();
        }
    }
}

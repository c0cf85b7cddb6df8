using JasperFx.Events.Daemon;
using Ledger.EventStore.Connections;
using Ledger.EventStore.MartenStore;
using Ledger.Projections.Model;
using Ledger.Projections.OnMarten;
using Ledger.TestSupport;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ledger.Projections.Tests.Infrastructure;

/// <summary>
/// A process that runs the read models as a Ledger Host does: its own host with Marten's async daemon in HotCold mode
/// (one leader per schema; the others stand by), the read models registered on it, the supervisor beside it, its own
/// connection pool tagged with an application name so a test can kill its sessions — and the means to kill it.
/// </summary>
public sealed class DaemonHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly IHost _host;
    private readonly Task _supervise;
    private readonly TestDatabase _db;

    private DaemonHarness(TestDatabase db, string instance, IReadOnlyList<IReadModel> models, ProjectionOptions options, bool plainDataSource)
    {
        _db = db;
        Options = options;
        ApplicationName = $"daemon-{instance}-{Guid.NewGuid():N}"[..40];
        var connection = new NpgsqlConnectionStringBuilder(db.AppConnectionString) { ApplicationName = ApplicationName }.ConnectionString;
        // As the Host connects, unless a test wants Npgsql's defaults (no auto-prepare, the pool reset on).
        DataSource = plainDataSource ? NpgsqlDataSource.Create(connection) : LedgerDataSource.Create(connection);
        Projections = ReadModelRegistration.Create(models, DataSource, TestDatabase.Shapes(), TestDatabase.Json, options);

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new Capture(MartenLog));
        builder.Services.AddMarten(marten =>
            {
                marten.Connection(DataSource);
                LedgerMarten.Configure(marten, db.Schema, TestDatabase.Shapes(), TestDatabase.Json);
                marten.Projections.LeadershipPollingTime = 200;
                marten.AddReadModels(Projections, options);
            })
            .AddAsyncDaemon(DaemonMode.HotCold);
        _host = builder.Build();
        _host.Start();
        Store = _host.Services.GetRequiredService<IDocumentStore>();
        var coordinator = _host.Services.GetRequiredService<Marten.Events.Daemon.Coordination.IProjectionCoordinator>();
        _supervise = new ProjectionSupervisor(Store, DataSource, Projections, options, Log).RunAsync(coordinator.DaemonForMainDatabase, _stop.Token);
        Daemon = () => coordinator.DaemonForMainDatabase();
    }

    public string ApplicationName { get; }
    public NpgsqlDataSource DataSource { get; }
    public IDocumentStore Store { get; }
    public ProjectionOptions Options { get; }
    public IReadOnlyList<ReadModelProjection> Projections { get; }
    public Func<IProjectionDaemon> Daemon { get; }

    /// <summary>What Ledger's supervisor logged: what an operator reads about a failing projection.</summary>
    public RecordingLogger<ProjectionSupervisor> Log { get; } = new();

    /// <summary>Everything else this process logged (Marten's daemon).</summary>
    public RecordingLogger<DaemonHarness> MartenLog { get; } = new();

    /// <summary>The read models whose projections run in this process right now.</summary>
    public IReadOnlySet<string> Running =>
        Daemon().CurrentAgents().Where(a => a.Status == JasperFx.AgentStatus.Running).Select(a => a.Name.Name).ToHashSet();

    public static DaemonHarness Start(
        TestDatabase db, string instance, IReadOnlyList<IReadModel>? models = null, ProjectionOptions? options = null, bool plainDataSource = false) =>
        new(db, instance, models ?? ProjectionDb.AllWithTestLog, options ?? Fast(), plainDataSource);

    public static ProjectionOptions Fast() => new()
    {
        SuperviseInterval = TimeSpan.FromMilliseconds(50),
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        MaxAttempts = 3,
    };

    /// <summary>As if the process died: its sessions are terminated by the server (open transactions roll back, its
    /// advisory locks are freed, the daemon's leadership with them) and it does nothing more.</summary>
    public async Task KillAsync()
    {
        await _stop.CancelAsync();
        await using (var kill = _db.AdminDataSource.CreateCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1"))
        {
            kill.Parameters.Add(new() { Value = ApplicationName });
            await kill.ExecuteScalarAsync();
        }
        await DisposeAsync();
    }

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await _stop.CancelAsync();
        try
        {
            await _supervise;
        }
        catch (Exception e) when (e is OperationCanceledException or NpgsqlException)
        {
        }
        try
        {
            await _host.StopAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is OperationCanceledException or NpgsqlException or InvalidOperationException)
        {
        }
        _host.Dispose();
        await DataSource.DisposeAsync();
        _stop.Dispose();
    }

    private sealed class Capture(RecordingLogger<DaemonHarness> log) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => log;

        public void Dispose()
        {
        }
    }
}

using Ledger.EventStore;
using Ledger.EventStore.Notifications;
using Ledger.Projections.Daemon;
using Ledger.TestSupport;
using Npgsql;

namespace Ledger.Projections.Tests.Infrastructure;

/// <summary>
/// A daemon as a Host process runs it — its own connection pool (tagged with an application name so a test can kill
/// its sessions), its own append signal and LISTEN connection — and the means to kill it abruptly.
/// </summary>
public sealed class DaemonHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;
    private readonly Task _listen;
    private readonly TestDatabase _db;

    private DaemonHarness(TestDatabase db, string instance, IReadOnlyList<IProjection> projections, ProjectionDaemonOptions options, bool plainDataSource)
    {
        _db = db;
        ApplicationName = $"daemon-{instance}-{Guid.NewGuid():N}"[..40];
        // As the Host builds it, unless a test wants Npgsql's defaults (no auto-prepare, failed batch commands unnamed).
        DataSource = plainDataSource
            ? NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(db.AppConnectionString) { ApplicationName = ApplicationName }.ConnectionString)
            : ProjectionDataSource.Create(db.AppConnectionString, ApplicationName);
        Store = db.StoreOn(DataSource);
        Signal = new AppendSignal();
        options.Owner = instance;
        Daemon = new ProjectionDaemon(projections, DataSource, Store, Signal, options, Log);
        _listen = new AppendListener(DataSource, Signal).RunAsync(_stop.Token);
        _run = Daemon.RunAsync(_stop.Token);
    }

    public string ApplicationName { get; }
    public NpgsqlDataSource DataSource { get; }
    public Ledger.EventStore.MartenStore.MartenEventStore Store { get; }
    public AppendSignal Signal { get; }
    public ProjectionDaemon Daemon { get; }
    public RecordingLogger<ProjectionDaemon> Log { get; } = new();

    public static DaemonHarness Start(
        TestDatabase db, string instance, IReadOnlyList<IProjection>? projections = null, ProjectionDaemonOptions? options = null, bool plainDataSource = false) =>
        new(db, instance, projections ?? ProjectionDb.AllWithTestLog, options ?? Fast(), plainDataSource);

    public static ProjectionDaemonOptions Fast() => new()
    {
        LeaseInterval = TimeSpan.FromMilliseconds(200),
        PollInterval = TimeSpan.FromMilliseconds(200),
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        MaxAttempts = 3,
    };

    /// <summary>As if the process died: its sessions are terminated by the server (open transactions roll back, its
    /// advisory locks are freed) and it does nothing more.</summary>
    public async Task KillAsync()
    {
        await using (var kill = _db.AdminDataSource.CreateCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1"))
        {
            kill.Parameters.Add(new() { Value = ApplicationName });
            await kill.ExecuteScalarAsync();
        }
        await _stop.CancelAsync();
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
            await Task.WhenAll(_run, _listen);
        }
        catch (Exception e) when (e is OperationCanceledException or NpgsqlException)
        {
        }
        await DataSource.DisposeAsync();
        _stop.Dispose();
    }
}

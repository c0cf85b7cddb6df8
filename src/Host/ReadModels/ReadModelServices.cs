using Ledger.Application.Json;
using Ledger.EventStore;
using Ledger.EventStore.MartenStore;
using Ledger.EventStore.Notifications;
using Ledger.Host.Configuration;
using Ledger.Projections;
using Ledger.Projections.Daemon;
using Ledger.Projections.Reading;
using Marten;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Ledger.Host.ReadModels;

/// <summary>
/// Registration of the read side: the append signal and its notifications between processes, the projection daemon
/// (<c>Ledger:Projections</c>), the report readers, and the projections' part of readiness.
/// </summary>
public static class ReadModelServices
{
    public static IServiceCollection AddLedgerReadModels(this IServiceCollection services)
    {
        services.AddOptions<ProjectionDaemonOptions>().BindConfiguration(ProjectionDaemonOptions.Section)
            .Validate(o => o.BatchSize is > 0 and <= 10_000 && o.MaxAttempts > 0 && o.PollInterval > TimeSpan.Zero
                    && o.LeaseInterval > TimeSpan.Zero && o.RetryBaseDelay >= TimeSpan.Zero && o.ReadYourWritesTimeout >= TimeSpan.Zero,
                $"{ProjectionDaemonOptions.Section}: BatchSize 1–10000, MaxAttempts at least 1, positive intervals.")
            .ValidateOnStart();
        // One signal per process: the chain sealer pulses it after each sealed page, other processes' NOTIFY too; the
        // daemon and the relay wait on it.
        services.TryAddSingleton<AppendSignal>();
        services.AddSingleton(sp => new AppendNotifier(sp.GetRequiredService<LedgerDataSources>().App, sp.GetRequiredService<AppendSignal>()));
        services.AddHostedService<AppendNotificationsService>();
        services.AddSingleton(sp => new ProjectionDatabase(CreateDataSource(sp)));
        services.AddHostedService<ProjectionDaemonService>();
        services.AddSingleton(sp => new ReadModelReader(sp.GetRequiredService<LedgerDataSources>().App));
        services.AddSingleton(sp => new ProjectionPositions(sp.GetRequiredService<LedgerDataSources>().App));
        services.AddSingleton<ReportAnswer>();
        // "ready" is the readiness tag of /health/ready (Health/HealthEndpoints).
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            "projections", sp => new ProjectionsHealthCheck(sp.GetRequiredService<LedgerDataSources>()), failureStatus: null, tags: ["ready"]));
        return services;
    }

    /// <summary>The daemon's own pool on the application role (see <see cref="ProjectionDataSource"/>).</summary>
    private static NpgsqlDataSource CreateDataSource(IServiceProvider services)
    {
        var configuration = services.GetRequiredService<IConfiguration>();
        var connection = configuration.GetConnectionString(LedgerDataSources.AppConnectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{LedgerDataSources.AppConnectionName} is not configured.");
        var schema = services.GetRequiredService<LedgerDataSources>().Schema;
        return ProjectionDataSource.Create(new NpgsqlConnectionStringBuilder(connection) { SearchPath = schema }.ConnectionString);
    }
}

/// <summary>The projection daemon's connection pool, owned (and disposed) by the container.</summary>
internal sealed class ProjectionDatabase(NpgsqlDataSource dataSource) : IAsyncDisposable
{
    public NpgsqlDataSource DataSource { get; } = dataSource;

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}

/// <summary>Sends this process's NOTIFY after its appends, and LISTENs for the other processes'.</summary>
internal sealed class AppendNotificationsService(AppendNotifier notifier, LedgerDataSources db, AppendSignal signal, ILogger<AppendListener> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        notifier.Start();
        return new AppendListener(db.App, signal, logger).RunAsync(stoppingToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await notifier.DisposeAsync();
    }
}

/// <summary>Runs the projection daemon: this process applies the projections whose leases it holds.</summary>
internal sealed class ProjectionDaemonService(
    ProjectionDatabase db, IDocumentStore store, EventShapes shapes, AppendSignal signal, IOptions<ProjectionDaemonOptions> options,
    ILogger<ProjectionDaemon> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled) return Task.CompletedTask;
        var daemon = new ProjectionDaemon(LedgerProjections.All, db.DataSource, new MartenEventStore(store, db.DataSource, shapes, LedgerJson.Options), signal, options.Value, logger);
        return daemon.RunAsync(stoppingToken);
    }
}

/// <summary>
/// Degraded while a live projection is stopped on a failing event: its reports are frozen at that point until an
/// operator skips the event (<c>ledger projections skip</c>). Degraded, not unhealthy: the service still answers.
/// </summary>
internal sealed class ProjectionsHealthCheck(LedgerDataSources db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var failed = await ProjectionStatus.FailedAsync(db.App, cancellationToken);
            if (failed.Count == 0) return HealthCheckResult.Healthy("every projection is running");
            var data = failed.ToDictionary(f => f.Name, f => (object)(f.EventId?.ToString() ?? ""));
            return HealthCheckResult.Degraded($"stopped on a failing event: {string.Join(", ", failed.Select(f => f.Name))}", data: data);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return HealthCheckResult.Degraded("projection status unavailable", e);
        }
    }
}

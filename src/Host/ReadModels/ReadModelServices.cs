using JasperFx.Events.Daemon;
using Ledger.Application.Json;
using Ledger.EventStore;
using Ledger.EventStore.MartenStore;
using Ledger.Host.Configuration;
using Ledger.Projections;
using Ledger.Projections.OnMarten;
using Ledger.Projections.Reading;
using Marten;
using Marten.Events.Daemon.Coordination;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Ledger.Host.ReadModels;

/// <summary>
/// Registration of the read side: the read models' projections on Marten's async daemon (<c>Ledger:Projections</c>,
/// registered with the store in <see cref="Events.EventStoreServices"/>) and their supervisor, the report readers, and the projections' part of
/// readiness.
/// </summary>
public static class ReadModelServices
{
    public static IServiceCollection AddLedgerReadModels(this IServiceCollection services)
    {
        services.AddOptions<ProjectionOptions>().BindConfiguration(ProjectionOptions.Section)
            .Validate(o => o.BatchSize is > 0 and <= 10_000 && o.MaxAttempts > 0 && o.SuperviseInterval > TimeSpan.Zero
                    && o.RetryBaseDelay >= TimeSpan.Zero && o.ReadYourWritesTimeout >= TimeSpan.Zero,
                $"{ProjectionOptions.Section}: BatchSize 1–10000, MaxAttempts at least 1, positive intervals.")
            .ValidateOnStart();
        services.AddSingleton(sp => new LiveReadModels(sp.GetRequiredService<IOptions<ProjectionOptions>>().Value,
            sp.GetRequiredService<LedgerDataSources>().App, sp.GetRequiredService<EventShapes>()));
        services.AddHostedService<ProjectionSupervisorService>();
        services.AddSingleton(sp => new ReadModelReader(sp.GetRequiredService<LedgerDataSources>().App));
        services.AddSingleton(sp => new ProjectionPositions(sp.GetRequiredService<LedgerDataSources>().App));
        services.AddSingleton<ReportAnswer>();
        // "ready" is the readiness tag of /health/ready (Health/HealthEndpoints).
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            "projections", sp => new ProjectionsHealthCheck(sp.GetRequiredService<LedgerDataSources>()), failureStatus: null, tags: ["ready"]));
        return services;
    }
}

/// <summary>The read models' live projections, made once for the store to register and the supervisor to watch.</summary>
public sealed class LiveReadModels(ProjectionOptions options, NpgsqlDataSource db, EventShapes shapes)
{
    public ProjectionOptions Options { get; } = options;

    /// <summary>Whether this process's daemon runs the read models (a process may serve only the API).</summary>
    public bool Enabled => Options.Enabled;

    public IReadOnlyList<ReadModelProjection> Projections { get; } =
        ReadModelRegistration.Create(LedgerProjections.All, db, shapes, LedgerJson.Options, options);
}

/// <summary>Watches the projections this process's daemon runs (while it leads): see <see cref="ProjectionSupervisor"/>.</summary>
internal sealed class ProjectionSupervisorService(
    LiveReadModels readModels, IDocumentStore store, Marten.Events.Daemon.Coordination.IProjectionCoordinator coordinator, LedgerDataSources db,
    ILogger<ProjectionSupervisor> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!readModels.Enabled) return Task.CompletedTask;
        var supervisor = new ProjectionSupervisor(store, db.App, readModels.Projections, readModels.Options, logger);
        return supervisor.RunAsync(Daemon, stoppingToken);

        IProjectionDaemon? Daemon()
        {
            try
            {
                return coordinator.DaemonForMainDatabase();
            }
            catch (InvalidOperationException)
            {
                return null;
            }
        }
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

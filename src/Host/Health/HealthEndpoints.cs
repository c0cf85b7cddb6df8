using Ledger.EventStore.Migrations;
using Ledger.Host.Configuration;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ledger.Host.Health;

/// <summary><c>/health/live</c>: the process answers. <c>/health/ready</c>: it can serve (database reachable, schema current).</summary>
public static class HealthEndpoints
{
    private const string ReadyTag = "ready";

    public static IServiceCollection AddLedgerHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<EventStoreReadyCheck>("event_store", tags: [ReadyTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapLedgerHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag) }).AllowAnonymous();
        return app;
    }
}

/// <summary>Ready when the app role can reach the database and every migration is applied.</summary>
internal sealed class EventStoreReadyCheck(LedgerDataSources dataSources) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await Migrator.IsUpToDateAsync(dataSources.App, dataSources.Schema, LedgerMigrationSets.All, cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("migrations pending");
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("database unreachable", e);
        }
    }
}

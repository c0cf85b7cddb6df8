using Ledger.EventStore;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Ledger.Host.WritePath;

/// <summary>
/// Registration of the write path. An endpoint class opts in with the <see cref="WritePathMetadata"/> attribute; every
/// write endpoint of it then gets its audit entry and honours <c>Idempotency-Key</c>, with no code in the endpoints.
/// </summary>
public static class WritePathServices
{
    /// <summary>
    /// Adds the write path and makes the registered <see cref="IEventStore"/> append through it. Call it after the
    /// store is registered.
    /// </summary>
    public static IServiceCollection AddLedgerWritePath(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(WriteScope))) return services;
        services.AddOptions<IdempotencyOptions>().BindConfiguration(IdempotencyOptions.Section)
            .Validate(IdempotencyOptions.IsValid, $"{IdempotencyOptions.Section}: Window must be positive (at most 365 days) and PurgeInterval at least 1 second.")
            .ValidateOnStart();
        services.AddSingleton<AuditRecorder>();
        services.AddSingleton<KeyedGate>();
        services.AddScoped<WriteScope>();
        services.AddSingleton<Ledger.Application.ICommandJournal, WritePathJournal>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuditedAuthorizationResultHandler>();
        services.AddHostedService<IdempotencyPurge>();
        return services;
    }

    /// <summary>Runs the write path (<see cref="WritePathMiddleware"/>) for the endpoints marked with it; after authorization.</summary>
    public static IApplicationBuilder UseLedgerWritePath(this IApplicationBuilder app) => app.UseMiddleware<WritePathMiddleware>();
}

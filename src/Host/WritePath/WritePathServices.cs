using Ledger.EventStore;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Ledger.Host.WritePath;

/// <summary>
/// Registration of the write path. A Wolverine endpoint class opts in with <see cref="WritePathMetadata"/> as an
/// attribute, a minimal API group with one call, <see cref="WithWritePath"/>; every write endpoint then gets its audit
/// entry and honours <c>Idempotency-Key</c>, with no code in the endpoints.
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
        DecorateEventStore(services);
        return services;
    }

    /// <summary>
    /// Every POST, PUT, PATCH and DELETE of the group is audited and idempotent. <paramref name="entityType"/> and the
    /// route value <paramref name="routeKey"/> name the entity of a command that appended nothing (a refusal):
    /// <c>order</c> and <c>{id}</c> give <c>order-{id}</c>, matching the stream the command would have written.
    /// </summary>
    public static RouteGroupBuilder WithWritePath(this RouteGroupBuilder group, string entityType, string routeKey = "id")
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentException.ThrowIfNullOrEmpty(entityType);
        group.WithMetadata(new WritePathMetadata(entityType, routeKey));
        return group;
    }

    /// <summary>Runs the write path (<see cref="WritePathMiddleware"/>) for the endpoints marked with it; after authorization.</summary>
    public static IApplicationBuilder UseLedgerWritePath(this IApplicationBuilder app) => app.UseMiddleware<WritePathMiddleware>();

    /// <summary>Excludes a write-method endpoint that changes nothing from the write path (it is then not audited).</summary>
    public static TBuilder NotAWrite<TBuilder>(this TBuilder builder, string reason) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new NotAWrite(reason));

    private static void DecorateEventStore(IServiceCollection services)
    {
        var original = services.LastOrDefault(d => d.ServiceType == typeof(IEventStore) && !d.IsKeyedService)
            ?? throw new InvalidOperationException("Register the IEventStore before calling AddLedgerWritePath.");
        services.Remove(original);
        services.AddSingleton<IEventStore>(sp => new WritePathEventStore(Create(original, sp)));
    }

    private static IEventStore Create(ServiceDescriptor descriptor, IServiceProvider services) =>
        (IEventStore)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!));
}

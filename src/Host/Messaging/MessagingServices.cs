using Ledger.Application.Json;
using Ledger.EventStore.MartenStore;
using Ledger.Host.Configuration;
using Ledger.Messaging;
using Ledger.Messaging.Diagnostics;
using Ledger.Messaging.Outbox;
using Marten;

namespace Ledger.Host.Messaging;

/// <summary>Registration of the outbox's publishing shard, the messaging metrics and the health check (the inbound listeners: Messaging/Inbound).</summary>
public static class MessagingServices
{
    public static IServiceCollection AddLedgerMessaging(this IServiceCollection services)
    {
        services.AddSingleton(sp => MessagingConfiguration.Settings(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton(sp => new MessagingMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton(sp => new OutboxPublishing(sp.GetRequiredService<EventShapes>(), LedgerJson.Options,
            new LedgerIntegrationCatalogue(), sp.GetRequiredService<MessagingSettings>().Producer));
        AddOutboxWhenBrokerConfigured(services);
        services.AddSingleton<OutboxMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxMonitor>());
        // Starts Wolverine's RabbitMQ part later when the broker does not answer at start (a lifecycle service: it looks
        // before Wolverine's runtime starts). Registered as IHostedService directly, as the instance the health check reads.
        services.AddSingleton<BrokerStart>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<BrokerStart>());
        // "ready" is the readiness tag of /health/ready (Health/HealthEndpoints).
        services.AddHealthChecks().Add(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckRegistration(
            "messaging",
            sp => new MessagingHealthCheck(sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<MessagingMetrics>(),
                sp.GetRequiredService<OutboxMonitor>(), sp.GetRequiredService<BrokerStart>(),
                sp.GetRequiredService<Wolverine.Runtime.IWolverineRuntime>(), sp.GetRequiredService<TimeProvider>()),
            failureStatus: null, tags: ["ready"]));
        return services;
    }

    /// <summary>
    /// <see cref="LedgerOutbox.AddLedgerOutbox"/>, except that the shard joins Marten's daemon only when a broker is
    /// configured: without a route a page would be passed and its messages dropped, so with no broker the shard does
    /// not run and events wait in the store. Whether one is configured is known only once the host's configuration is
    /// final (see <see cref="LedgerBrokerExtension"/>), so Wolverine's registration of the shard (a Marten configuration
    /// step) is kept and run behind that check.
    /// </summary>
    private static void AddOutboxWhenBrokerConfigured(IServiceCollection services)
    {
        foreach (var descriptor in new ServiceCollection().AddLedgerOutbox())
        {
            if (descriptor.ImplementationInstance is IConfigureMarten subscribe)
                services.ConfigureMarten((sp, options) =>
                {
                    if (MessagingConfiguration.BrokerUri(sp.GetRequiredService<IConfiguration>()) is not null) subscribe.Configure(sp, options);
                });
            else
                services.Add(descriptor);
        }
    }
}

using Ledger.EventStore;
using Ledger.EventStore.MartenStore;
using Ledger.EventStore.Notifications;
using Ledger.Host.Configuration;
using Ledger.Messaging;
using Ledger.Messaging.Broker;
using Ledger.Messaging.Diagnostics;
using Ledger.Messaging.Relay;

namespace Ledger.Host.Messaging;

/// <summary>Registration of the outbox relay, the messaging metrics and the health check (the inbound consumers are Wolverine's: Messaging/Inbound).</summary>
public static class MessagingServices
{
    public static IServiceCollection AddLedgerMessaging(this IServiceCollection services)
    {
        services.AddSingleton(sp => MessagingConfiguration.Settings(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton(sp => new MessagingMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton(CreateRuntime);
        services.AddHostedService<RelayService>();
        // "ready" is the readiness tag of /health/ready (Health/HealthEndpoints).
        services.AddHealthChecks().Add(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckRegistration(
            "messaging",
            sp => new MessagingHealthCheck(sp.GetRequiredService<MessagingRuntime>(), sp.GetRequiredService<MessagingMetrics>()),
            failureStatus: null, tags: ["ready"]));
        return services;
    }

    private static MessagingRuntime CreateRuntime(IServiceProvider sp)
    {
        var settings = sp.GetRequiredService<MessagingSettings>();
        if (MessagingConfiguration.BrokerUri(sp.GetRequiredService<IConfiguration>()) is not { } uri)
        {
            sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MessagingServices))
                .LogWarning("ConnectionStrings:RabbitMq is not set: nothing is published or consumed; events wait in the outbox");
            return new MessagingRuntime(null, null, configured: false);
        }

        var broker = new BrokerConnection(uri, settings, sp.GetRequiredService<ILogger<BrokerConnection>>(), sp.GetRequiredService<TimeProvider>());
        var db = sp.GetRequiredService<LedgerDataSources>();
        var metrics = sp.GetRequiredService<MessagingMetrics>();
        var clock = sp.GetRequiredService<TimeProvider>();
        // The store itself, not the write-path decorator: the relay only reads.
        var store = sp.GetRequiredService<MartenEventStore>();
        var relay = settings.Relay.Enabled
            ? new OutboxRelay(store, db.App, db.Schema, new LedgerIntegrationCatalogue(), broker, settings, metrics,
                sp.GetRequiredService<ILogger<OutboxRelay>>(), sp.GetService<AppendSignal>(), clock)
            : null;
        return new MessagingRuntime(broker, relay, configured: true);
    }
}

using JasperFx.Events.Daemon;
using Ledger.Application;
using Ledger.Application.Json;
using Ledger.EventStore;
using Ledger.EventStore.MartenStore;
using Ledger.Projections.OnMarten;
using Ledger.Host.ReadModels;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Ledger.Host.Configuration;
using Marten;
using Wolverine.Marten;

namespace Ledger.Host.Events;

/// <summary>
/// Ledger's events on Marten, as Marten's own hosting registers them (<c>AddMarten</c>): the store on the
/// application's connection (append-only role), every event type's stored shape, and the chain sealer as a
/// subscription on the async daemon, with the read models' projections (<see cref="LiveReadModels"/>). The daemon
/// runs HotCold: one host seals and projects, the others stand by and take over.
/// </summary>
internal static class EventStoreServices
{
    public static IServiceCollection AddLedgerEventStore(this IServiceCollection services)
    {
        services.AddSingleton(_ => LedgerEventShapes.Register(new EventShapes()));
        services.AddSingleton(sp => new SealProgress(sp.GetRequiredService<LedgerDataSources>().App));
        services.AddMarten(sp =>
            {
                var db = sp.GetRequiredService<LedgerDataSources>();
                var progress = sp.GetRequiredService<SealProgress>();
                var options = new StoreOptions();
                options.Connection(db.App);
                LedgerMarten.Configure(options, db.Schema, sp.GetRequiredService<EventShapes>(), LedgerJson.Options);
                LedgerAggregates.Register(options);
                // Marten's commands are logged without their data (its daemon logs through the host's loggers, from DI).
                options.Logger(new LedgerMartenLogger(sp.GetRequiredService<ILogger<LedgerMartenLogger>>()));
                // After each sealed page: the position /api/ledger/sealed waits for.
                options.Events.Subscribe(new ChainSealer(db.App, progress.Sealed));
                var readModels = sp.GetRequiredService<LiveReadModels>();
                if (readModels.Enabled) options.AddReadModels(readModels.Projections, readModels.Options);
                return options;
            })
            .AddAsyncDaemon(DaemonMode.HotCold)
            // Wolverine's envelope storage in the store's schema, on the application's connection; Marten's own
            // HotCold daemon keeps distributing the sealer and projections (Wolverine's managed distribution is off).
            .IntegrateWithWolverine();
        // Marten leaves a paused subscription paused; the sealer must not stay so.
        SubscriptionWatchService.Add(services, SubscriptionWatch.SealerShard, SubscriptionWatch.SealerStalled);
        services.AddSingleton(sp => new MartenEventStore(sp.GetRequiredService<IDocumentStore>(),
            sp.GetRequiredService<LedgerDataSources>().App, sp.GetRequiredService<EventShapes>(), LedgerJson.Options));
        services.AddSingleton<IEventStore>(sp => sp.GetRequiredService<MartenEventStore>());
        return services;
    }
}

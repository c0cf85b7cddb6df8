using Ledger.Host.Auditing;
using Ledger.Host.Configuration;
using Ledger.Host.Messaging;
using Ledger.Messaging;
using Ledger.Messaging.Witnesses;
using Microsoft.Extensions.Options;

namespace Ledger.Host.Witnesses;

public static class WitnessServices
{
    /// <summary>The configured witnesses and the background service that publishes every stored checkpoint to each.</summary>
    public static IServiceCollection AddLedgerWitnesses(this IServiceCollection services)
    {
        services.AddOptions<WitnessOptions>().BindConfiguration(WitnessOptions.Section);
        services.AddSingleton(sp => new CheckpointNotes(sp.GetRequiredService<LedgerDataSources>().App,
            sp.GetRequiredService<IOptions<CheckpointOptions>>().Value.Origin, () => HeldKey(sp)));
        services.AddSingleton(sp => new WitnessDeliveries(sp.GetRequiredService<LedgerDataSources>().App));
        services.AddSingleton(sp =>
        {
            var status = new WitnessStatus();
            WitnessMetrics.Observe(status, sp.GetService<System.Diagnostics.Metrics.IMeterFactory>());
            return status;
        });
        services.AddHostedService(sp => new WitnessService(Witnesses(sp), sp.GetRequiredService<WitnessDeliveries>(),
            sp.GetRequiredService<CheckpointNotes>(), sp.GetRequiredService<WitnessStatus>(), sp.GetRequiredService<LedgerDataSources>(),
            sp.GetRequiredService<IOptions<WitnessOptions>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<WitnessService>>()));
        services.AddHealthChecks().AddCheck<WitnessHealthCheck>("checkpoint_witnesses", tags: ["ready"]);
        return services;
    }

    private static IReadOnlyList<ICheckpointWitness> Witnesses(IServiceProvider sp)
    {
        var options = sp.GetRequiredService<IOptions<WitnessOptions>>().Value;
        var configuration = sp.GetRequiredService<IConfiguration>();
        var witnesses = new List<ICheckpointWitness> { new NoteArchive() };
        if (options.Directory is { Length: > 0 } folder)
            witnesses.Add(new DirectoryWitness(LedgerDataDirectory.ResolvePath(configuration, folder), sp.GetRequiredService<ILogger<DirectoryWitness>>()));
        if (options.Http.Url is { } url)
            witnesses.Add(new HttpWitness(url, new HttpClient { Timeout = TimeSpan.FromSeconds(30) }, sp.GetRequiredService<LedgerDataSources>().App));
        if (options.RabbitMq && MessagingConfiguration.BrokerUri(configuration) is not null)
            witnesses.Add(new RabbitMqWitness(sp.GetRequiredService<Wolverine.Runtime.IWolverineRuntime>(), sp.GetRequiredService<MessagingSettings>()));
        return witnesses;
    }

    // The key the signer would sign with now; none when it cannot be loaded (a note is then not made, not guessed).
    private static Ledger.EventStore.Checkpoints.CheckpointKey? HeldKey(IServiceProvider sp)
    {
        try
        {
            return sp.GetRequiredService<CheckpointKeyProvider>().Key;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }
}

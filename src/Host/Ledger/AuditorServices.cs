using Ledger.EventStore;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Export;
using Ledger.EventStore.Merkle;
using Ledger.Host.Configuration;
using Microsoft.Extensions.Options;

namespace Ledger.Host.Auditing;

public static class AuditorServices
{
    /// <summary>Checkpoint signing (a background service), the signing-key history, verification and exports for auditors.</summary>
    public static IServiceCollection AddLedgerAuditor(this IServiceCollection services)
    {
        services.AddOptions<CheckpointOptions>().BindConfiguration(CheckpointOptions.Section);
        services.AddOptions<AuditorOptions>().BindConfiguration(AuditorOptions.Section);
        services.AddSingleton<CheckpointKeyProvider>();
        services.AddSingleton(sp => new SigningKeyHistory(sp.GetRequiredService<LedgerDataSources>().App));
        services.AddSingleton(sp => new CheckpointStore(sp.GetRequiredService<LedgerDataSources>().App));
        // One per process: it keeps each tenant's complete blocks of leaves, so proofs do not re-read the whole log.
        services.AddSingleton(sp => new LedgerTreeReader(sp.GetRequiredService<LedgerDataSources>().App));
        services.AddSingleton(sp => new SignedChainVerifier(sp.GetRequiredService<LedgerDataSources>().App,
            sp.GetRequiredService<SigningKeyHistory>(), sp.GetRequiredService<CheckpointStore>(), trees: sp.GetRequiredService<LedgerTreeReader>()));
        services.AddSingleton(sp => new ExportWriter(sp.GetRequiredService<LedgerDataSources>().App,
            sp.GetRequiredService<CheckpointStore>(), sp.GetRequiredService<SigningKeyHistory>(), sp.GetRequiredService<TimeProvider>(),
            trees: sp.GetRequiredService<LedgerTreeReader>()));
        // One record per process, read once: what this signer signed, outside the database.
        services.AddSingleton(sp =>
        {
            var signed = SignedHeads.Open(CheckpointKeyProvider.SignedHeadsPath(
                sp.GetRequiredService<IOptions<CheckpointOptions>>().Value, sp.GetRequiredService<IConfiguration>()));
            CheckpointMetrics.Observe(signed);
            return signed;
        });
        services.AddSingleton<SignedTrees>();
        services.AddHealthChecks().AddCheck<CheckpointSignerHealthCheck>("checkpoint_signer", tags: ["ready"]);
        // Per use, so a round signs with the key the provider holds now (it reloads the file after a rotation).
        services.AddTransient(sp =>
        {
            var options = sp.GetRequiredService<IOptions<CheckpointOptions>>().Value;
            return new Checkpointer(sp.GetRequiredService<LedgerDataSources>().App, sp.GetRequiredService<IEventStore>(),
                sp.GetRequiredService<CheckpointKeyProvider>().Key, sp.GetRequiredService<SigningKeyHistory>(),
                sp.GetRequiredService<CheckpointStore>(),
                new CheckpointPolicy(options.EveryEntries, TimeSpan.FromSeconds(options.EverySeconds)), sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<Ledger.EventStore.MartenStore.SealProgress>(), sp.GetRequiredService<SignedHeads>(), sp.GetRequiredService<SignedTrees>());
        });
        services.AddHostedService<CheckpointService>();
        return services;
    }
}

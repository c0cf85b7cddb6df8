using Ledger.Bench.Infrastructure;
using Ledger.Bench.Report;
using Ledger.EventStore;

namespace Ledger.Bench.Scenarios;

/// <summary>The scenarios of issue 7, in order; <c>--only</c> picks some by id.</summary>
public static class Scenarios
{
    public static IEnumerable<(string Id, Func<Task<ScenarioOutcome>> Run)> All(BenchSettings settings, BenchDatabase database, Payloads payloads)
    {
        var appends = new AppendScenario(settings, database, payloads);
        var grouped = new PostgresEventStoreOptions { GroupConcurrentAppends = true };

        yield return ("1", () => appends.RunAsync("1", "Append, many tenants", settings.Tenants,
        [
            new AppendScenario.Variant("store", s => s.Store(),
                "the application's pool as the Host builds it (LedgerDataSource). Where the gap comes from: both sides are CPU-bound " +
                "(8 writers, client and server on the same cores, far above the disk's commit rate thanks to group commit), and an " +
                "append costs the server more CPU per event than the plain INSERT (the CPU figures here): four index entries instead " +
                "of two, the stream row, the head row, and PL/pgSQL; docs/performance.md has the profile"),
        ], "≥ 0.9×", 0.9));
        yield return ("2", () => appends.RunAsync("2", "Append, one hot tenant", 1,
        [
            new AppendScenario.Variant("lock per append", s => s.Store(), "PostgresEventStoreOptions.GroupConcurrentAppends off: the chain head is locked per append until commit"),
            new AppendScenario.Variant("grouped appends", s => new PostgresEventStore(s.App, grouped), "PostgresEventStoreOptions.GroupConcurrentAppends"),
        ], "≥ 0.5×", 0.5));
        yield return ("3", () => new BulkScenario(settings, database, payloads).RunAsync());
        yield return ("4", () => new HttpScenario(settings, database).RunAsync());
        yield return ("5", () => new ProjectionScenario(settings, database).RunAsync());
        yield return ("6", () => new RelayScenario(settings, database).RunAsync());
        yield return ("7", () => new VerificationScenario(settings, database, payloads).RunAsync());
        yield return ("8", () => new KeyedBurstScenario(database).RunAsync());
        yield return ("9", () => new ChainDesignsScenario(settings, database, payloads).RunAsync());
        yield return ("10", () => new LedgerOnMartenScenario(settings, database, payloads).RunAsync());
    }
}

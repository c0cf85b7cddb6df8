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
        // The Host's app data source as it is built today, and the same with No Reset On Close (see docs/performance.md):
        // a pooled connection's reset (DISCARD ALL) throws away the plans PL/pgSQL cached for append_events.
        PostgresEventStore NoReset(LedgerSchema s, PostgresEventStoreOptions? options = null) =>
            new(database.AppDataSource(s, b => b.NoResetOnClose = true), options);
        var grouped = new PostgresEventStoreOptions { GroupConcurrentAppends = true };

        yield return ("1", () => appends.RunAsync("1", "Append, many tenants", settings.Tenants,
        [
            new AppendScenario.Variant("store", s => s.Store()),
            new AppendScenario.Variant("store, No Reset On Close", s => NoReset(s), "the app connection string with No Reset On Close=true"),
        ], "≥ 0.9×", 0.9));
        yield return ("2", () => appends.RunAsync("2", "Append, one hot tenant", 1,
        [
            new AppendScenario.Variant("lock per append", s => s.Store(), "today's design: the chain head is locked per append until commit"),
            new AppendScenario.Variant("grouped appends", s => new PostgresEventStore(s.App, grouped), "PostgresEventStoreOptions.GroupConcurrentAppends"),
            new AppendScenario.Variant("grouped, No Reset On Close", s => NoReset(s, grouped), "grouped, and No Reset On Close=true"),
        ], "≥ 0.5×", 0.5));
        yield return ("3", () => new BulkScenario(settings, database, payloads).RunAsync());
        yield return ("4", () => new HttpScenario(settings, database).RunAsync());
        yield return ("5", () => new ProjectionScenario(settings, database).RunAsync());
        yield return ("6", () => new RelayScenario(settings, database).RunAsync());
        yield return ("7", () => new VerificationScenario(settings, database, payloads).RunAsync());
    }
}

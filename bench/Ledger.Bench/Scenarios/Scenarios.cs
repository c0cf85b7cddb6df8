using Ledger.Bench.Infrastructure;
using Ledger.Bench.Report;

namespace Ledger.Bench.Scenarios;

/// <summary>The scenarios of issue 7, in order; <c>--only</c> picks some by id.</summary>
public static class Scenarios
{
    public static IEnumerable<(string Id, Func<Task<ScenarioOutcome>> Run)> All(BenchSettings settings, BenchDatabase database, Payloads payloads)
    {
        var appends = new AppendScenario(settings, database, payloads);
        yield return ("1", () => appends.RunAsync("1", "Append, many tenants", settings.Tenants, insertGoal: 0.9));
        yield return ("2", () => appends.RunAsync("2", "Append, one hot tenant", 1, insertGoal: 0.5));
        yield return ("3", () => new BulkScenario(settings, database, payloads).RunAsync());
        yield return ("4", () => new HttpScenario(settings, database).RunAsync());
        yield return ("5", () => new ProjectionScenario(settings, database).RunAsync());
        yield return ("6", () => new OutboxScenario(settings, database).RunAsync());
        yield return ("7", () => new VerificationScenario(settings, database, payloads).RunAsync());
        yield return ("8", () => new KeyedBurstScenario(database).RunAsync());
        yield return ("9", () => new ChainDesignsScenario(settings, database, payloads).RunAsync());
        yield return ("10", () => new SealLagScenario(settings, database, payloads).RunAsync());
        yield return ("11", () => new InboundScenario(settings, database).RunAsync());
        yield return ("12", () => new BrowserVerificationScenario(settings, database, payloads).RunAsync());
        yield return ("13", () => new PersonalData.PersonalDataScenario(settings, database).RunAsync());
    }
}

using System.Security.Cryptography;
using Ledger.Application;
using Ledger.Bench.Infrastructure;
using Ledger.Bench.Report;
using Ledger.Bench.Scenarios.LedgerOnMarten;
using Ledger.Domain.Orders;
using Ledger.EventStore.Privacy;

namespace Ledger.Bench.Scenarios.PersonalData;

/// <summary>
/// Scenario 13 (issue 16): what sealing a customer's personal data costs the append path. Orders are created through
/// the production command path (<see cref="OrderCommandPath"/>) by 8 writers, across many tenants and in one hot
/// tenant, in three variants taking turns in rotated rounds on the same schema: (a) without personal data — no key
/// lookup, no sealing: the baseline; (b) with a name and an email, each order a new customer, so the command's
/// commit inserts the customer's key (SubjectKeys.ForSealingInCommit; the worst case); (c) the same for a few returning
/// customers per tenant, whose keys this process holds, checked and locked in the commit; and two controls: (d) the orders of (a) with a bare round trip
/// (<c>SELECT 1</c>) where the handler takes the key, (e) the orders of (b) with personal data that has no field, so the
/// key is created as in (b) but nothing is sealed and the event only names the subject and the key's generation. The client's pure crypto per order is timed apart
/// (<see cref="CryptoCost"/>), so the report can say whether the cost is the crypto, the round trip or the key
/// statement's work.
/// </summary>
public sealed class PersonalDataScenario(BenchSettings settings, BenchDatabase database)
{
    private const string Id = "13";
    private const string Title = "Personal data on the append path";
    private const double Goal = 0.9;

    /// <summary>Returning customers per tenant in (c): few, so that writers often seal for the same customer at once.</summary>
    private const int ReturningCustomers = 20;

    private static readonly TimeSpan SealDeadline = TimeSpan.FromSeconds(120);

    /// <summary>Personal data with no field: the handler takes the customer's key and has nothing to seal.</summary>
    private static readonly CustomerPersonalData NoFields = new(null, null);

    public async Task<ScenarioOutcome> RunAsync()
    {
        var layouts = new List<Layout>();
        foreach (var (tenants, label) in new[] { (settings.Tenants, $"{settings.Tenants} tenants"), (1, "one hot tenant") })
            layouts.Add(await RunAsync(tenants, label));

        // With the schemas' daemons gone, so the figures are the crypto's alone.
        Log.Line($"{Id}. {Title}: the crypto alone, one thread");
        var crypto = CryptoCost.Measure(settings.Rounds);

        var rows = layouts.SelectMany(l => l.Rows).ToList();
        rows.Add(CryptoRow(crypto, layouts[0]));
        var details = new List<string>
        {
            $"- {Id}: orders created through OrderDecisions.DecideOnAsync on a Marten session of the tenant, then saved (as tests/TestSupport's " +
            "TestOrderCommands does; no transport, so no audit entry on any side), 3 order lines; personal data: a name of 20 characters and an " +
            $"email of 25; a new customer id for every order in (a), (b), (d) and (e); {ReturningCustomers} returning customers per tenant in (c), their keys " +
            $"created before the rounds; each schema preloaded with {settings.PreloadEvents:N0} sealed order-created events and as many subject keys, " +
            "then VACUUM ANALYZE; ChainSealer on Marten's async daemon throughout, as in the Host.",
        };
        details.AddRange(layouts.SelectMany(l => l.Details));
        details.Add($"- {Id}: where the cost is: {WhereTheCostIs(crypto, layouts)}");
        return new ScenarioOutcome(rows, details);
    }

    private sealed record Layout(string Label, SideOutcome Plain, SideOutcome NewCustomers, SideOutcome Returning, SideOutcome RoundTrip,
        SideOutcome KeyOnly, List<ResultRow> Rows, List<string> Details);

    private async Task<Layout> RunAsync(int tenants, string label)
    {
        var tag = tenants == 1 ? "hot" : "many";
        Log.Line($"{Id}. {Title}, {label}: preloading {settings.PreloadEvents:N0} orders and as many subject keys");
        await using var ledger = await database.CreateLedgerAsync($"s{Id}{tag}");
        await ledger.StopSealingAsync();
        await OrderEvents.PreloadAsync(ledger.Store, settings.PreloadEvents, tenants);
        await PreloadKeysAsync(ledger, settings.PreloadEvents, tenants);
        // The order aggregate registered as the Host registers it, for the handler's FetchForWriting.
        await ledger.StartSealingAsync(DaemonTuning.HostSetting, LedgerAggregates.Register);
        await ledger.SealedAsync(SealDeadline);

        var path = new OrderCommandPath(ledger.Sealing.Store, ledger.Store,
            new SubjectKeys(new MasterKeyRing(RandomNumberGenerator.GetBytes(32))));
        await Parallel.ForEachAsync(Enumerable.Range(0, tenants * ReturningCustomers), new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (i, _) => await path.CreateAsync(Preload.TenantId(i / ReturningCustomers), Returning(i % ReturningCustomers), OrderCommandPath.PersonalOf(i % ReturningCustomers)));
        await BenchDatabase.AnalyzeAsync(ledger.Admin, "mt_events", "mt_streams", "subject_keys", "ledger_chain", "ledger_chain_heads");

        long plainCustomers = 0, newCustomers = 0;
        string Tenant(Random random) => Preload.TenantId(random.Next(tenants));
        var randoms = Enumerable.Range(0, settings.Writers).Select(w => new Random(w * 7919 + Environment.TickCount)).ToArray();
        Task<RoundResult> Run(bool warmUp, Func<Random, Task> order) =>
            LoadDriver.ClosedLoop(settings.Writers, warmUp ? settings.WarmUp : settings.RoundDuration, w => order(randoms[w]));
        var sides = new List<Side>
        {
            new("(a) without personal data", warmUp => Run(warmUp, random =>
                path.CreateAsync(Tenant(random), $"A-{Interlocked.Increment(ref plainCustomers):D9}", null))),
            new("(b) new customer each order", warmUp => Run(warmUp, random =>
            {
                var n = Interlocked.Increment(ref newCustomers);
                return path.CreateAsync(Tenant(random), $"N-{n:D9}", OrderCommandPath.PersonalOf(n));
            })),
            new("(c) returning customers", warmUp => Run(warmUp, random =>
            {
                var k = random.Next(ReturningCustomers);
                return path.CreateAsync(Tenant(random), Returning(k), OrderCommandPath.PersonalOf(k));
            })),
            new("(d) without personal data, one bare round trip", warmUp => Run(warmUp, random =>
                path.CreateAsync(Tenant(random), $"A-{Interlocked.Increment(ref plainCustomers):D9}", null, bareRoundTrip: true))),
            new("(e) new customer each order, no field to seal", warmUp => Run(warmUp, random =>
                path.CreateAsync(Tenant(random), $"E-{Interlocked.Increment(ref newCustomers):D9}", NoFields))),
        };
        var outcomes = await Rounds.Rotate(settings.Rounds, "orders/s", sides, label: $"{Id} {tag}");
        var (plain, created, returning, roundTrip, keyOnly) = (outcomes[0], outcomes[1], outcomes[2], outcomes[3], outcomes[4]);

        // What was measured must be what it claims: every (b) order under a key of its own, one key per returning
        // customer, no personal data in (a), the sealed fields opening to what was sent, and the chain whole.
        var prepared = await PreparedStatements.DescribeAsync(ledger.App, settings.Writers);
        var check = await PersonalDataCheck.RunAsync(ledger, path.SubjectKeys, tenants * ReturningCustomers);
        await ledger.SealedAsync(SealDeadline);
        var chain = await SealedChain.VerifyAsync(ledger.Admin);
        Log.Line($"{Id}. {label}: {check}; chain: {chain}; commits lost to a stale or guessed key and decided again: {path.LostCommits:N0}");

        var measure = $"orders/s, {settings.Writers} writers, CreateOrder through the command path and saved, {label}; against the same orders without personal data";
        var rows = new List<ResultRow>
        {
            Row($"{Id}b. {Title}: {label}, a new customer each order", measure, created, plain,
                "its key made by the client and inserted as generation 1 in the command's own commit (SubjectKeys.ForSealingInCommit: no round trip of its own), the name and email sealed (AES-256-GCM)",
                check.Passed && chain.Passed),
            Row($"{Id}c. {Title}: {label}, returning customers", measure, returning, plain,
                $"{ReturningCustomers} customers per tenant whose keys this process holds: sealed at once, subject_key_in_use checking the key in the commit under the subject's advisory lock (shared)",
                check.Passed && chain.Passed),
            Row($"{Id}d. {Title}: {label}, no personal data but a bare round trip", measure, roundTrip, plain,
                "a control, not Ledger's path: the orders of (a), with the command's transaction begun and a SELECT 1 sent where the handler takes the " +
                "customer's key (after the stream is fetched, before the save), so (a) → (d) is the round trip alone and (d) → (b) the key statement's work",
                check.Passed && chain.Passed) with { Goal = "(informative: a round trip's share)", GoalRatio = null },
            Row($"{Id}e. {Title}: {label}, a new customer each order, no field to seal", measure, keyOnly, plain,
                "a control, not a use: personal data with no name and no email, so the key is created as in (b) but nothing is sealed and the " +
                "event only names the subject and the key's generation; (a) → (e) is the key statement, (e) → (b) the sealed fields (crypto and bytes)",
                check.Passed && chain.Passed) with { Goal = "(informative: the key statement's share)", GoalRatio = null },
        };
        List<string> details =
        [
            $"- {Id}, {label}: commits lost to a key held too long or guessed new, and decided again as Wolverine would: {path.LostCommits:N0}. " +
            $"(a) {Describe(plain)}; (b) {Describe(created)}; (c) {Describe(returning)}; (d) {Describe(roundTrip)}; (e) {Describe(keyOnly)}",
            $"- {Id}, {label}: after the rounds: {check}; chain: {chain}; {prepared}",
        ];
        return new Layout(label, plain, created, returning, roundTrip, keyOnly, rows, details);
    }

    private static string Returning(int k) => $"R-{k:D2}";

    private static ResultRow Row(string scenario, string measure, SideOutcome side, SideOutcome plain, string what, bool checksPassed)
    {
        var figures = side.Against(plain);
        var costs = figures.PairedRatios;
        return new ResultRow
        {
            Scenario = scenario,
            Measure = measure,
            Figures = figures,
            Goal = "≥ 0.90× (≤ 10% cost)",
            GoalRatio = Goal,
            Notes = $"cost {1 - figures.Ratio:0%} [{1 - costs.Max:0%}–{1 - costs.Min:0%} round by round]; {what}" +
                    $"; order p50/p99 {side.MedianOf(r => r.P50Ms):0.0}/{side.MedianOf(r => r.P99Ms):0.0} ms (without personal data " +
                    $"{plain.MedianOf(r => r.P50Ms):0.0}/{plain.MedianOf(r => r.P99Ms):0.0} ms)" +
                    $"; CPU per order: {side.CpuPerOperation} (without personal data {plain.CpuPerOperation}; difference {CpuDelta(side, plain)})" +
                    (side.Errors + plain.Errors > 0 ? $"; errors {side.Errors}/{plain.Errors}: {side.FirstError ?? plain.FirstError}" : "") +
                    $"; checks afterwards: {(checksPassed ? "passed" : "FAILED (see the details)")}",
        };
    }

    private ResultRow CryptoRow(CryptoCost.Figures crypto, Layout many)
    {
        var figures = new Comparison("µs");
        foreach (var (wrap, seal) in crypto.NewKeyWrapped.Values.Zip(crypto.SealTwoFields.Values)) figures.Ledger.Add(wrap + seal);
        return new ResultRow
        {
            Scenario = $"{Id}. {Title}: the crypto alone",
            Measure = "µs per order on one thread, a new customer's order: a fresh key made and wrapped (MasterKeyRing.Wrap) and two fields sealed (SubjectKey.Seal)",
            Figures = figures,
            Goal = "(informative: where the cost is)",
            Notes = $"SubjectKey.Seal of the name and the email {crypto.SealTwoFields.Describe()} µs; SubjectKey.Create + MasterKeyRing.Wrap " +
                    $"{crypto.NewKeyWrapped.Describe()} µs (ForSealingAsync does it on every call, used only when the subject has no key); " +
                    $"MasterKeyRing.Unwrap {crypto.Unwrap.Describe()} µs (a returning customer's stored key); OrderEventCodec.Encode of the " +
                    $"created event with its personal data sealed {crypto.EncodeSealed.Describe()} µs, without personal data {crypto.EncodePlain.Describe()} µs. " +
                    $"Per order: {crypto.NewCustomerUs:0.0} µs for a new customer, {crypto.ReturningCustomerUs:0.0} µs for a returning one, against " +
                    $"{many.Plain.CpuPerOperation} of CPU per order without personal data ({many.Label})",
        };
    }

    private static string Describe(SideOutcome side) =>
        $"{side.Figures.Describe()} orders/s, p50/p99 {side.MedianOf(r => r.P50Ms):0.0}/{side.MedianOf(r => r.P99Ms):0.0} ms, CPU per order {side.CpuPerOperation}" +
        (side.Errors > 0 ? $", {side.Errors} errors ({side.FirstError})" : "");

    private static string CpuDelta(SideOutcome side, SideOutcome plain) =>
        $"server {side.MedianOf(r => r.ServerCpuUs) - plain.MedianOf(r => r.ServerCpuUs):+0;-0} µs, client {side.MedianOf(r => r.ClientCpuUs) - plain.MedianOf(r => r.ClientCpuUs):+0;-0} µs";

    /// <summary>
    /// On two cores shared by client and server the rounds are CPU-bound, so a variant's rate follows its CPU per order:
    /// the share of the extra CPU that is crypto says whether sealing or the key's statement costs the throughput.
    /// </summary>
    private static string WhereTheCostIs(CryptoCost.Figures crypto, List<Layout> layouts) => string.Join("; ", layouts.Select(l =>
    {
        double Total(SideOutcome s) => s.MedianOf(r => r.ServerCpuUs) + s.MedianOf(r => r.ClientCpuUs);
        var plain = Total(l.Plain);
        string Of(string name, SideOutcome side, double cryptoUs) =>
            $"{name} {Total(side) - plain:+0;-0} µs of CPU per order ({CpuDelta(side, l.Plain)}), of which crypto {cryptoUs:0} µs; " +
            $"the rate the CPU alone predicts {plain / Total(side):0.00}× against the measured {side.Against(l.Plain).Ratio:0.00}×";
        return $"{l.Label}: (a) {plain:0} µs of CPU per order; {Of("(b)", l.NewCustomers, crypto.NewCustomerUs)}; " +
               $"{Of("(c)", l.Returning, crypto.ReturningCustomerUs)}; {Of("(d)", l.RoundTrip, 0)}; {Of("(e)", l.KeyOnly, crypto.NewKeyWrapped.Median)}";
    }));

    /// <summary>
    /// As many subject keys as preloaded orders, spread over the tenants, so the key statement runs against a table and
    /// indexes of some size. Their bytes are random and never unwrapped: no order of the rounds names these subjects.
    /// </summary>
    private static async Task PreloadKeysAsync(LedgerSchema ledger, int count, int tenants)
    {
        await using var insert = ledger.Admin.CreateCommand("""
            INSERT INTO subject_keys (tenant_id, subject_id, generation, master_kid, wrapped_key)
            SELECT 'tenant-' || lpad((g % $2)::text, 3, '0'), 'P-' || lpad(g::text, 9, '0'), 1, 'preloaded',
                   substring(decode(md5(g::text) || md5('a' || g) || md5('b' || g) || md5('c' || g), 'hex') FROM 1 FOR 60)
              FROM generate_series(1, $1) AS g
            """);
        insert.Parameters.Add(new() { Value = count });
        insert.Parameters.Add(new() { Value = tenants });
        await insert.ExecuteNonQueryAsync();
    }
}

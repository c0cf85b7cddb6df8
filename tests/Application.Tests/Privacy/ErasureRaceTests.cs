using Ledger.Application.Orders;
using Ledger.Application.Privacy;
using Ledger.Domain.Orders;
using Ledger.EventStore.Privacy;
using Ledger.TestSupport;

namespace Ledger.Application.Tests.Privacy;

/// <summary>
/// Orders of one returning customer racing their erasure, counted: every order commits; everything sealed under the
/// destroyed generation reads as erased, everything sealed after it under a new one reads in full, and orders racing
/// each other for the new generation share one key.
/// </summary>
public sealed class ErasureRaceTests : IAsyncLifetime
{
    private const string Customer = "cust-race";
    private TestDatabase db = null!;
    private readonly string tenant = TestDatabase.NewTenant("erase");

    public async Task InitializeAsync() => db = await TestDatabase.CreateAsync(sealing: false);

    public async Task DisposeAsync() => await db.DisposeAsync();

    private CommandContext Context() => new(tenant, "clerk-1", DateTimeOffset.UtcNow, Guid.NewGuid().ToString("N"), null, null, "test");

    private Task CreateAsync(int i) => new TestOrderCommands(db).DecideAsync(Context(), new CreateOrder(Guid.CreateVersion7(), Customer, "EUR",
        [new OrderLine("SKU-1", "Widget", 1, 10m)], 10m, new CustomerPersonalData($"Person {i}", $"p{i}@example.org"), DateTimeOffset.UtcNow, "clerk-1"));

    private async Task<ErasureReport> EraseAsync()
    {
        await using var session = db.Documents.LightweightSession(tenant);
        var report = await DataSubjectErasure.Handle(new EraseDataSubject(Customer, Context()), session, Unjournaled.Instance, [], default);
        await session.SaveChangesAsync();
        return report;
    }

    [Fact]
    public async Task Orders_racing_an_erasure_all_commit_and_each_reads_as_its_key_generation_says()
    {
        await CreateAsync(0); // the customer's key exists: the racers find it, or its successor
        var racers = Enumerable.Range(1, 24).Select(i => Task.Run(() => CreateAsync(i))).ToList();
        var erasure = Task.Run(async () =>
        {
            await Task.Yield();
            return await EraseAsync();
        });
        await Task.WhenAll(racers);
        (await erasure).KeysDestroyed.ShouldBe([1]);
        for (var i = 25; i < 28; i++) await CreateAsync(i); // after the erasure: sealed under the next generation

        await using var connection = await db.AppDataSource.OpenConnectionAsync();
        var records = await DataSubjectRecords.FindAsync(connection, tenant, Customer, default);
        records.Count.ShouldBe(28, "every order committed, each with its personal record");
        var opened = await new PersonalDataReader(db.SubjectKeys).OpenAsync(db.AppDataSource, tenant, [.. records.Select(r => r.Personal)], default);
        foreach (var (record, data) in records.Zip(opened))
        {
            record.Personal.KeyGeneration.ShouldBeOneOf(1, 2);
            data.Status.ShouldBe(record.Personal.KeyGeneration == 1 ? OpenedPersonalData.Erased : OpenedPersonalData.Available);
            if (data.Status == OpenedPersonalData.Available) data["name"].ShouldStartWith("Person ");
        }
        records.Count(r => r.Personal.KeyGeneration == 1).ShouldBeGreaterThanOrEqualTo(1, "the first order, at least, was erased");
        records.TakeLast(3).ShouldAllBe(r => r.Personal.KeyGeneration == 2);
        var history = await SubjectKeys.HistoryAsync(connection, tenant, Customer, default);
        history.Count(h => h.ErasedAt is null).ShouldBeLessThanOrEqualTo(1, "one live key at most");
        history.Select(h => h.Generation).ShouldBe(records.Select(r => r.Personal.KeyGeneration!.Value).Distinct().Order());
    }
}

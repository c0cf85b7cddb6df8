using FsCheck;
using FsCheck.Fluent;
using Ledger.EventStore.Chain;
using Ledger.TestSupport;
using static Ledger.TestSupport.TestEvents;

namespace Ledger.EventStore.Tests.Chain;

/// <summary>For any sequence of appends across tenants, every tenant's chain is gapless and verifies.</summary>
public sealed class ChainPropertyTests : IAsyncLifetime
{
    private TestDatabase db = null!;
    public async Task InitializeAsync() => db = await TestDatabase.CreateAsync();
    public async Task DisposeAsync() => await db.DisposeAsync();

    [Fact]
    public void Any_sequence_of_appends_leaves_gapless_verifiable_chains()
    {
        // An append: (tenant index, stream index, number of events).
        var append = from tenant in Gen.Choose(0, 2)
                     from stream in Gen.Choose(0, 3)
                     from count in Gen.Choose(1, 4)
                     select (tenant, stream, count);
        var appends = Gen.ListOf(append).Where(list => list.Count is > 0 and <= 25);

        Prop.ForAll(appends.ToArbitrary(), list => Holds(list).GetAwaiter().GetResult())
            .Check(Config.QuickThrowOnFailure.WithMaxTest(15));
    }

    private async Task<bool> Holds(IEnumerable<(int Tenant, int Stream, int Count)> appends)
    {
        var tenants = Enumerable.Range(0, 3).Select(i => TestDatabase.NewTenant($"prop{i}")).ToArray();
        var expected = new long[3];
        foreach (var (tenant, stream, count) in appends)
        {
            await db.Store.AppendAsync(tenants[tenant], [To($"s{stream}", ExpectedVersion.Any, Enumerable.Range(0, count).Select(_ => Event()).ToArray())]);
            expected[tenant] += count;
        }

        var verifier = new ChainVerifier(db.AppDataSource, pageSize: 7);
        for (var i = 0; i < tenants.Length; i++)
        {
            var result = await verifier.VerifyAsync(tenants[i]);
            if (!result.Succeeded || result.VerifiedThrough != expected[i]) return false;
        }
        return true;
    }
}

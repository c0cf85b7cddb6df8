using System.Diagnostics;
using Ledger.Projections.Orders;
using Ledger.Projections.Tests.Infrastructure;
using Ledger.TestSupport;
using Xunit.Abstractions;

namespace Ledger.Projections.Tests;

/// <summary>Rough figures on this machine, printed for the record (the benchmark harness measures properly).</summary>
public sealed class ThroughputTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await ProjectionDb.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Catch_up_of_20k_events_by_the_orders_projection()
    {
        var appended = Stopwatch.StartNew();
        var events = await OrderHistory.AppendOrdersAsync(_db.Store, TestDatabase.NewTenant(), 8000, perAppend: 50);
        output.WriteLine($"appended {events} events in {appended.Elapsed.TotalSeconds:F1} s");

        var caughtUp = Stopwatch.StartNew();
        await using (var daemon = DaemonHarness.Start(_db, "bench", [new OrdersProjection()]))
            await _db.CaughtUpAsync([OrdersProjection.ProjectionName], TimeSpan.FromSeconds(120));
        var rate = events / caughtUp.Elapsed.TotalSeconds;
        output.WriteLine($"orders projection caught up {events} events in {caughtUp.Elapsed.TotalSeconds:F1} s: {rate:F0} events/s");
        rate.ShouldBeGreaterThan(500);

        // All three order models at once, as a Host runs them (each reads the whole log itself).
        await using var db = await ProjectionDb.CreateAsync();
        await OrderHistory.AppendOrdersAsync(db.Store, TestDatabase.NewTenant(), 8000, perAppend: 50);
        var all = Stopwatch.StartNew();
        await using (var daemon = DaemonHarness.Start(db, "bench-all", LedgerProjections.Orders))
            await db.CaughtUpAsync(LedgerProjections.Orders.Select(p => p.Name), TimeSpan.FromSeconds(180));
        output.WriteLine($"orders + receivables + sales_journal caught up {events} events each in {all.Elapsed.TotalSeconds:F1} s: "
            + $"{events * 3 / all.Elapsed.TotalSeconds:F0} event applications/s");
    }
}

using System.Diagnostics;
using Ledger.EventStore;
using Ledger.Projections.OnMarten;
using Ledger.Projections.Orders;
using Ledger.Projections.Tests.Infrastructure;
using Ledger.TestSupport;
using Npgsql;
using Xunit.Abstractions;

namespace Ledger.Projections.Tests;

/// <summary>
/// Appends in one process reach the projections another process runs within a fraction of a second (Marten's daemon
/// looks for new events every few milliseconds), and a reader can wait for a position (read-your-writes).
/// </summary>
public sealed class LagTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await ProjectionDb.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task A_projection_applies_another_process_appends_within_a_fraction_of_a_second()
    {
        await using var daemon = DaemonHarness.Start(_db, "reader", [new OrdersProjection()]);
        await Eventually.Until(() => Task.FromResult(daemon.Running.Count), n => n == 1, TimeSpan.FromSeconds(30), "the daemon to lead");

        await using var writerDb = NpgsqlDataSource.Create(_db.AppConnectionString);
        var writer = _db.StoreOn(writerDb);
        var positions = new ProjectionPositions(_db.AppDataSource);
        var lags = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            var id = Guid.CreateVersion7();
            var clock = Stopwatch.StartNew();
            var written = await writer.AppendAsync(TestDatabase.NewTenant(), [OrderHistory.Stream(id, OrderHistory.Lifecycle(id, 2, OrderHistory.Start))]);
            (await positions.WaitForAsync(OrdersProjection.ProjectionName, written.LastPosition, TimeSpan.FromSeconds(30))).ShouldBeTrue();
            lags.Add(clock.Elapsed.TotalMilliseconds);
        }
        lags.Sort();
        output.WriteLine($"append-to-projected lag over {lags.Count} appends: median {lags[lags.Count / 2]:F0} ms, max {lags[^1]:F0} ms");
        lags[lags.Count / 2].ShouldBeLessThan(1000);
    }

    [Fact]
    public async Task Waiting_for_a_position_ends_when_the_projection_reaches_it_or_at_the_timeout()
    {
        var tenant = TestDatabase.NewTenant();
        var id = Guid.CreateVersion7();
        var written = await _db.Store.AppendAsync(tenant, [OrderHistory.Stream(id, OrderHistory.Lifecycle(id, 1, OrderHistory.Start))]);
        var positions = new ProjectionPositions(_db.AppDataSource);

        var clock = Stopwatch.StartNew();
        (await positions.WaitForAsync(OrdersProjection.ProjectionName, written.LastPosition, TimeSpan.FromMilliseconds(300))).ShouldBeFalse();
        clock.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(290));

        var waiting = positions.WaitForAsync(OrdersProjection.ProjectionName, written.LastPosition, TimeSpan.FromSeconds(30));
        await using var daemon = DaemonHarness.Start(_db, "late", [new OrdersProjection()]);
        (await waiting).ShouldBeTrue();
        (await positions.CurrentAsync(OrdersProjection.ProjectionName)).ShouldBeGreaterThanOrEqualTo(written.LastPosition);
    }
}

using Ledger.Domain.Orders;
using Ledger.Projections.Orders;
using Ledger.Projections.Reading;
using Ledger.Projections.Receivables;
using Ledger.Projections.SalesJournal;
using Ledger.Projections.Tests.Infrastructure;
using Ledger.TestSupport;

namespace Ledger.Projections.Tests;

/// <summary>What the daemon folds order events into: the three accountants' read models, read as the API reads them.</summary>
public sealed class OrderReadModelTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Day = new(2025, 3, 10, 8, 0, 0, TimeSpan.Zero);
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await ProjectionDb.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private ReadModelReader Reader => new(_db.AppDataSource);

    [Fact]
    public async Task Martens_tombstones_of_a_refused_append_are_passed_over_and_the_models_go_on()
    {
        var tenant = TestDatabase.NewTenant();
        Guid first = Guid.CreateVersion7(), second = Guid.CreateVersion7(), refused = Guid.CreateVersion7();
        await _db.Store.AppendAsync(tenant, [OrderHistory.Stream(first, OrderHistory.Lifecycle(first, 2, Day))]);
        // Refused: its second stream exists. Marten writes tombstones for the sequence numbers the first had drawn.
        await Should.ThrowAsync<EventStore.ConcurrencyException>(() => _db.Store.AppendAsync(tenant,
            [OrderHistory.Stream(refused, OrderHistory.Lifecycle(refused, 2, Day)), OrderHistory.Stream(first, OrderHistory.Lifecycle(first, 0, Day))]));
        // Marten writes them from a background block after the failed save (EventGraph.PostTombstonesAsync), so wait.
        await Eventually.Until(() => _db.AdminDataSource.ScalarAsync<long>("SELECT count(*) FROM mt_events WHERE stream_id = 'mt_tombstone'"),
            n => n > 0, TimeSpan.FromSeconds(10), "Marten's tombstones");
        await _db.Store.AppendAsync(tenant, [OrderHistory.Stream(second, OrderHistory.Lifecycle(second, 3, Day))]);

        await using var daemon = DaemonHarness.Start(_db, "a");
        await _db.CaughtUpAsync(ProjectionDb.AllWithTestLog.Select(p => p.Name).Where(n => n != EventLogProjection.ProjectionName));
        var orders = await OrdersReport.QueryAsync(Reader, tenant, new OrdersFilter(null, null, null, null), null, 50);
        orders.Items.Select(o => o.OrderId).ShouldBe([first, second], ignoreOrder: true);
    }

    [Fact]
    public async Task Given_orders_in_every_state_When_projected_Then_each_report_shows_them()
    {
        var tenant = TestDatabase.NewTenant();
        Guid paid = Guid.CreateVersion7(), owed = Guid.CreateVersion7(), failed = Guid.CreateVersion7(), cancelled = Guid.CreateVersion7(), usd = Guid.CreateVersion7();
        await _db.Store.AppendAsync(tenant, [
            OrderHistory.Stream(paid, OrderHistory.Lifecycle(paid, 3, Day, "cust-a", "EUR", 25.00m)),
            OrderHistory.Stream(owed, OrderHistory.Lifecycle(owed, 1, Day.AddDays(-45), "cust-a", "EUR", 10.50m)),
            OrderHistory.Stream(failed, OrderHistory.Lifecycle(failed, 5, Day.AddDays(-100), "cust-a", "EUR", 4.25m)),
            OrderHistory.Stream(cancelled, OrderHistory.Lifecycle(cancelled, 4, Day, "cust-b", "EUR", 99.99m)),
            OrderHistory.Stream(usd, OrderHistory.Lifecycle(usd, 2, Day, "cust-b", "USD", 7.10m)),
        ]);
        await using (var daemon = DaemonHarness.Start(_db, "a"))
            await _db.CaughtUpAsync(LedgerProjections.Orders.Select(p => p.Name));

        var orders = await OrdersReport.QueryAsync(Reader, tenant, new OrdersFilter(null, null, null, null), null, 50);
        orders.Items.Count.ShouldBe(5);
        orders.Position.Seq.ShouldBe(await _db.HeadAsync());
        var fulfilled = orders.Items.Single(o => o.OrderId == paid);
        (fulfilled.Status, fulfilled.CustomerId, fulfilled.Currency, fulfilled.Total, fulfilled.PaidAmount).ShouldBe(("fulfilled", "cust-a", "EUR", 25.00m, 25.00m));
        (fulfilled.CreatedAt, fulfilled.PaidAt, fulfilled.FulfilledAt, fulfilled.UpdatedAt).ShouldBe((Day, Day.AddHours(2), Day.AddHours(3), Day.AddHours(3)));
        orders.Items.Single(o => o.OrderId == failed).Status.ShouldBe("payment_failed");
        orders.Items.Single(o => o.OrderId == cancelled).CancelledAt.ShouldBe(Day.AddHours(1));
        orders.Items.Select(o => o.CreatedAt).ShouldBeInOrder();

        var byStatus = await OrdersReport.QueryAsync(Reader, tenant, new OrdersFilter("paid", null, null, null), null, 50);
        byStatus.Items.Select(o => o.OrderId).ShouldBe([usd]);
        var byCustomerAndTime = await OrdersReport.QueryAsync(Reader, tenant, new OrdersFilter(null, "cust-a", Day.AddDays(-50), Day), null, 50);
        byCustomerAndTime.Items.Select(o => o.OrderId).ShouldBe([owed]);

        // cust-a owes the 45-day-old claim and the failed one (a failed payment leaves the debt), aged as of the 10th.
        var (receivables, asOf) = await ReceivablesReport.QueryAsync(Reader, tenant, new ReceivablesFilter(null, null, null), null, 50, DateOnly.FromDateTime(Day.UtcDateTime));
        asOf.ShouldBe(new DateOnly(2025, 3, 10));
        var a = receivables.Items.ShouldHaveSingleItem();
        (a.CustomerId, a.Currency, a.Orders, a.Owed).ShouldBe(("cust-a", "EUR", 2, 14.75m));
        (a.Days0To30, a.Days31To60, a.Days61To90, a.Over90Days).ShouldBe((0m, 10.50m, 0m, 4.25m));

        // As of an earlier day only the failed order's claim (requested 2024-11-30) existed, 51 days old.
        var (earlier, _) = await ReceivablesReport.QueryAsync(Reader, tenant, new ReceivablesFilter("cust-a", null, new DateOnly(2025, 1, 20)), null, 50, default);
        var old = earlier.Items.ShouldHaveSingleItem();
        (old.Orders, old.Owed, old.Days0To30, old.Days31To60).ShouldBe((1, 4.25m, 0m, 4.25m));

        // As of the day the paid order was requested and paid (the 10th), it was settled by the end of that day.
        var (sameDay, _) = await ReceivablesReport.QueryAsync(Reader, tenant, new ReceivablesFilter(null, null, new DateOnly(2025, 3, 10)), null, 50, default);
        sameDay.Items.ShouldHaveSingleItem().Owed.ShouldBe(14.75m);

        var journal = await SalesJournalReport.QueryAsync(Reader, tenant, new SalesJournalFilter(null, null, null), null, 50);
        journal.Items.ShouldBe([
            new SalesJournalRow(new DateOnly(2025, 3, 10), "EUR", 1, 25.00m),
            new SalesJournalRow(new DateOnly(2025, 3, 10), "USD", 1, 7.10m),
        ]);
    }

    [Fact]
    public async Task Pages_follow_a_stable_order_and_a_cursor_is_bound_to_its_filters()
    {
        var tenant = TestDatabase.NewTenant();
        await OrderHistory.AppendOrdersAsync(_db.Store, tenant, 120, perAppend: 40);
        await using (var daemon = DaemonHarness.Start(_db, "a"))
            await _db.CaughtUpAsync([OrdersProjection.ProjectionName]);

        var all = new List<OrderRow>();
        string? cursor = null;
        do
        {
            var page = await OrdersReport.QueryAsync(Reader, tenant, new OrdersFilter(null, null, null, null), cursor, 7);
            page.Items.Count.ShouldBeLessThanOrEqualTo(7);
            all.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        all.Count.ShouldBe(120);
        all.Select(o => o.OrderId).Distinct().Count().ShouldBe(120);
        all.ShouldBe([.. all.OrderBy(o => o.CreatedAt).ThenBy(o => o.OrderId.ToString())], ignoreOrder: false);

        var first = await OrdersReport.QueryAsync(Reader, tenant, new OrdersFilter(null, null, null, null), null, 5);
        var refused = await Should.ThrowAsync<InvalidReportQueryException>(() =>
            OrdersReport.QueryAsync(Reader, tenant, new OrdersFilter("paid", null, null, null), first.NextCursor, 5));
        refused.Code.ShouldBe(InvalidReportQueryException.InvalidCursor);
        (await Should.ThrowAsync<InvalidReportQueryException>(() =>
            OrdersReport.QueryAsync(Reader, tenant, new OrdersFilter(null, null, null, null), "not-a-cursor", 5))).Code.ShouldBe(InvalidReportQueryException.InvalidCursor);
    }
}

using System.Text.Json;
using Ledger.Application.Orders;
using Ledger.EventStore;
using Ledger.Projections.OnMarten;
using Ledger.Projections.Orders;
using Ledger.Projections.Tests.Infrastructure;
using Ledger.TestSupport;

namespace Ledger.Projections.Tests;

/// <summary>An event that cannot be applied stops its projection, visibly, until an operator skips exactly that event.</summary>
public sealed class PoisonEventTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await ProjectionDb.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Theory]
    [InlineData(false)] // the pool as the Host makes it
    [InlineData(true)] // Npgsql's defaults
    public async Task A_failing_statement_stops_the_projection_until_an_operator_skips_that_event(bool plainDataSource)
    {
        var tenant = TestDatabase.NewTenant();
        await OrderHistory.AppendOrdersAsync(_db.Store, tenant, 30, seed: 1);
        var poison = TestEvents.Event(EventLogProjection.PoisonType);
        await _db.Store.AppendAsync(tenant, [TestEvents.To("poison", ExpectedVersion.NoStream, poison)]);
        await OrderHistory.AppendOrdersAsync(_db.Store, tenant, 30, seed: 2);
        await using var daemon = DaemonHarness.Start(_db, "a", plainDataSource: plainDataSource);
        var stopped = await Eventually.Until(() => _db.LiveStateAsync(EventLogProjection.ProjectionName),
            c => c.Status == ProjectionGeneration.Failed, TimeSpan.FromSeconds(30), "the test projection to stop");
        stopped.FailingEventId.ShouldBe(poison.EventId);
        stopped.Attempts.ShouldBe(3);
        stopped.LastError!.ShouldStartWith("23514"); // check_violation
        // Marten applies a page whole or not at all: the log holds exactly the events up to the position it stopped at,
        // which is before the poison event.
        stopped.Position.ShouldBeLessThan(await _db.AdminDataSource.ScalarAsync<long>("SELECT seq_id FROM mt_events WHERE id = $1", poison.EventId));
        (await _db.AdminDataSource.ScalarAsync<long>("SELECT count(*) FROM test_event_log_g1"))
            .ShouldBe(await _db.AdminDataSource.ScalarAsync<long>("SELECT count(*) FROM mt_events WHERE seq_id <= $1", stopped.Position));

        // The daemon goes on with the other projections, past more appends, while this one stays where it stopped.
        await OrderHistory.AppendOrdersAsync(_db.Store, tenant, 10, seed: 3);
        await _db.CaughtUpAsync(LedgerProjections.Orders.Select(p => p.Name));
        (await _db.LiveStateAsync(EventLogProjection.ProjectionName)).ShouldBe(stopped);
        var statuses = await ProjectionStatus.ReadAllAsync(_db.AppDataSource);
        var status = statuses.Single(s => s.Name == EventLogProjection.ProjectionName);
        (status.State, status.FailingEventId, status.EventsBehind).ShouldBe(("failed", poison.EventId,
            await _db.AdminDataSource.ScalarAsync<long>("SELECT count(*) FROM mt_events WHERE seq_id > $1", stopped.Position)));
        (await ProjectionStatus.FailedAsync(_db.AppDataSource)).ShouldBe([(EventLogProjection.ProjectionName, (Guid?)poison.EventId)]);
        StoppedGauge(ProjectionShards.Live(EventLogProjection.ProjectionName)).ShouldBe(1); // the alert a dashboard sees

        // Only the event it stopped on can be skipped; the skip is recorded with who, why and the error.
        await Should.ThrowAsync<ProjectionSkipRefusedException>(() =>
            ProjectionSkips.SkipAsync(_db.AdminDataSource, EventLogProjection.ProjectionName, Guid.NewGuid(), "ops", "wrong event"));
        await Should.ThrowAsync<ProjectionSkipRefusedException>(() =>
            ProjectionSkips.SkipAsync(_db.AdminDataSource, OrdersProjection.ProjectionName, poison.EventId, "ops", "not stopped"));
        await ProjectionSkips.SkipAsync(_db.AdminDataSource, EventLogProjection.ProjectionName, poison.EventId, "ops@host", "test data, not a real event");
        await _db.CaughtUpAsync([EventLogProjection.ProjectionName]);

        (await _db.AdminDataSource.ScalarAsync<long>("SELECT count(*) FROM test_event_log_g1")).ShouldBe(await TotalEventsAsync() - 1);
        (await _db.AdminDataSource.ScalarAsync<long>("SELECT count(*) FROM test_event_log_g1 WHERE event_id = $1", poison.EventId)).ShouldBe(0);
        (await _db.AdminDataSource.ScalarAsync<string>(
            "SELECT skipped_by || ' | ' || reason || ' | ' || left(error, 5) FROM projection_skips WHERE event_id = $1", poison.EventId))
            .ShouldBe("ops@host | test data, not a real event | 23514");
        (await ProjectionStatus.FailedAsync(_db.AppDataSource)).ShouldBeEmpty();
        StoppedGauge(ProjectionShards.Live(EventLogProjection.ProjectionName)).ShouldBe(0);

        // What an operator reads in Ledger's log names the event and the kind of error; no log quotes event data.
        var stop = daemon.Log.Entries.Single(e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error);
        stop.Message.ShouldContain(poison.EventId.ToString());
        stop.Message.ShouldContain("23514");
        daemon.Log.Entries.Concat(daemon.MartenLog.Entries)
            .ShouldAllBe(e => !e.Message.Contains("Ada") && !e.Message.Contains("example.org") && !(e.Error ?? new Exception()).ToString().Contains("example.org"));
    }

    [Fact]
    public async Task An_order_event_that_cannot_be_decoded_stops_the_order_projections_and_names_the_event()
    {
        var tenant = TestDatabase.NewTenant();
        var garbled = new EventToAppend(Guid.CreateVersion7(), OrderEventCodec.Created, 1, DateTimeOffset.UtcNow,
            JsonSerializer.SerializeToElement(new { nonsense = true }), new EventMetadata("c", null, "test", null, "test"));
        await _db.Store.AppendAsync(tenant, [new StreamAppend("order-garbled", ExpectedVersion.NoStream, [garbled])]);
        await OrderHistory.AppendOrdersAsync(_db.Store, tenant, 5, seed: 4);

        await using var daemon = DaemonHarness.Start(_db, "a");
        var stopped = await Eventually.Until(() => _db.LiveStateAsync(OrdersProjection.ProjectionName),
            c => c.Status == ProjectionGeneration.Failed, TimeSpan.FromSeconds(30), "the orders projection to stop");
        stopped.FailingEventId.ShouldBe(garbled.EventId);
        stopped.LastError!.ShouldStartWith("JsonException");
        // The test projection has no trouble with that event and is not held back by the other's failure.
        await _db.CaughtUpAsync([EventLogProjection.ProjectionName]);
    }

    [Fact]
    public async Task A_projection_stopped_by_a_cause_since_put_right_is_retried_on_the_same_event_skipping_nothing()
    {
        var tenant = TestDatabase.NewTenant();
        var blocked = Guid.CreateVersion7();
        await using (var refuse = _db.AdminDataSource.CreateCommand("ALTER TABLE orders_rm_g1 ADD CONSTRAINT no_blocked CHECK (customer_id <> 'blocked')"))
            await refuse.ExecuteNonQueryAsync();
        await OrderHistory.AppendOrdersAsync(_db.Store, tenant, 5, seed: 7);
        await _db.Store.AppendAsync(tenant, [OrderHistory.Stream(blocked, OrderHistory.Lifecycle(blocked, 0, OrderHistory.Start, customer: "blocked"))]);

        await using var daemon = DaemonHarness.Start(_db, "a", [new OrdersProjection()]);
        var stopped = await Eventually.Until(() => _db.LiveStateAsync(OrdersProjection.ProjectionName),
            c => c.Status == ProjectionGeneration.Failed, TimeSpan.FromSeconds(30), "the orders projection to stop");
        await Should.ThrowAsync<ProjectionNotStoppedException>(() => ProjectionRetries.RetryAsync(_db.AdminDataSource, "test_event_log"));

        await using (var fix = _db.AdminDataSource.CreateCommand("ALTER TABLE orders_rm_g1 DROP CONSTRAINT no_blocked"))
            await fix.ExecuteNonQueryAsync();
        (await ProjectionRetries.RetryAsync(_db.AdminDataSource, OrdersProjection.ProjectionName)).ShouldBe(1);
        await _db.CaughtUpAsync([OrdersProjection.ProjectionName]);

        (await _db.AdminDataSource.ScalarAsync<long>("SELECT count(*) FROM orders_rm_g1 WHERE order_id = $1", blocked)).ShouldBe(1);
        (await _db.AdminDataSource.ScalarAsync<long>("SELECT count(*) FROM projection_skips")).ShouldBe(0);
        // The failure is forgotten once the projection got past the event.
        await Eventually.Until(() => _db.LiveStateAsync(OrdersProjection.ProjectionName),
            s => s.Attempts == 0 && s.FailingEventId is null, TimeSpan.FromSeconds(10), "the failure to be forgotten");
        stopped.FailingEventId.ShouldNotBeNull();
    }

    /// <summary>What <c>ledger.projection.stopped</c> reports for a shard right now (-1: nothing).</summary>
    private static int StoppedGauge(string shard)
    {
        var value = -1;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ProjectionMetrics.MeterName && instrument.Name == "ledger.projection.stopped") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<int>((_, measurement, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag is { Key: "projection", Value: string name } && name == shard) value = measurement;
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return value;
    }

    private Task<long> TotalEventsAsync() => _db.AdminDataSource.ScalarAsync<long>("SELECT count(*) FROM mt_events");
}

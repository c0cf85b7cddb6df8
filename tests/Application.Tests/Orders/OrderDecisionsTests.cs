using Ledger.Application.Orders;
using Ledger.Domain;
using Ledger.Domain.Orders;
using Ledger.EventStore;
using Ledger.EventStore.MartenStore;
using Ledger.TestSupport;

namespace Ledger.Application.Tests.Orders;

/// <summary>
/// The order command handler (<see cref="OrderCommandHandler"/>, through <see cref="OrderDecisions"/>) on Marten sessions
/// against the real PostgreSQL event store, one fresh schema and tenant per test. Wolverine's retry of a lost race is
/// the HTTP and inbound paths' (EndToEnd ConcurrentPaymentTests); here a lost race is the Marten conflict it retries.
/// </summary>
public sealed class OrderDecisionsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly Guid orderId = Guid.CreateVersion7();
    private readonly string tenant = TestDatabase.NewTenant("orders");
    private TestDatabase db = null!;
    private TestOrderCommands handler = null!;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync();
        handler = new TestOrderCommands(db);
    }

    public async Task DisposeAsync() => await db.DisposeAsync();

    private CommandContext Context(int minute = 0, string correlation = "corr-1") =>
        new(tenant, "clerk-1", T0.AddMinutes(minute), correlation, "cause-1", "trace-1", "test");

    private CreateOrder Create() => new(
        orderId, "cust-42", "EUR", [new("SKU-1", "Ledger paper", 2, 10.25m), new("SKU-2", "Pen", 1, 4.50m)],
        25.00m, new CustomerPersonalData("Ada", "ada@example.org"), T0, "clerk-1");

    private PayOrder Pay(string reference, int minute = 2) => new(orderId, 25.00m, reference, T0.AddMinutes(minute), "clerk-1");

    private Task<IReadOnlyList<RecordedEvent>> Stream() => db.Store.ReadStreamAsync(tenant, OrderStreams.For(orderId));

    private async Task AwaitingPayment()
    {
        await handler.DecideAsync(Context(), Create(), null);
        await handler.DecideAsync(Context(1), new RequestPayment(orderId, T0.AddMinutes(1), "clerk-1"), null);
    }

    [Fact]
    public async Task Create_request_pay_fulfil_appends_one_event_each_and_reads_back_as_fulfilled()
    {
        var created = await handler.DecideAsync(Context(), Create(), null);
        var requested = await handler.DecideAsync(Context(1), new RequestPayment(orderId, T0.AddMinutes(1), "clerk-1"), 1);
        var paid = await handler.DecideAsync(Context(2), Pay("psp-1"), 2);
        var fulfilled = await handler.DecideAsync(Context(3), new FulfilOrder(orderId, T0.AddMinutes(3), "clerk-1"), null);

        created.StreamId.ShouldBe($"order-{orderId:D}");
        created.Version.ShouldBe(1);
        created.EventsAppended.ShouldBe(1);
        created.Position.ShouldNotBeNull();
        new[] { requested.Version, paid.Version, fulfilled.Version }.ShouldBe([2L, 3L, 4L]);
        fulfilled.Position!.Value.ShouldBeGreaterThan(created.Position!.Value);

        var stream = await Stream();
        stream.Select(e => e.EventType).ShouldBe(
            ["commerce.order.created", "commerce.order.payment_requested", "commerce.order.paid", "commerce.order.fulfilled"]);
        stream.Select(e => e.TypeVersion).ShouldBe([2, 1, 1, 1]); // created is v2: its personal data sealed
        stream.ShouldAllBe(e => e.TenantId == tenant);
        stream[2].OccurredAt.ShouldBe(T0.AddMinutes(2));
        stream[2].Metadata.ShouldBe(new EventMetadata("corr-1", "cause-1", "clerk-1", "trace-1", "test"));
        stream[2].Data.GetProperty("amount").GetString().ShouldBe("25.00");
        // The customer's email is sealed under their key, and opens with it.
        var key = (await db.SubjectKeys.ReadAsync(db.AppDataSource, tenant, ["cust-42"], default)).Single().Key!;
        key.Open("email", stream[0].Data.GetProperty("personal").GetProperty("email").GetString()!).ShouldBe("ada@example.org");
        stream[0].Data.GetRawText().ShouldNotContain("ada@example.org");

        var snapshot = (await handler.LoadAsync(tenant, orderId)).ShouldNotBeNull();
        snapshot.Version.ShouldBe(4);
        snapshot.State.ShouldBeOfType<Order.Fulfilled>();
        snapshot.State.PaymentReference.ShouldBe("psp-1");
        snapshot.State.Facts!.Total.ShouldBe(25.00m);
    }

    [Fact]
    public async Task An_order_that_was_never_created_loads_as_null_and_in_no_other_tenant()
    {
        (await handler.LoadAsync(tenant, orderId)).ShouldBeNull();
        await handler.DecideAsync(Context(), Create(), null);
        (await handler.LoadAsync(TestDatabase.NewTenant("other"), orderId)).ShouldBeNull();
    }

    [Fact]
    public async Task A_repeated_command_appends_nothing_and_reports_the_current_version()
    {
        await AwaitingPayment();
        var again = await handler.DecideAsync(Context(5), new RequestPayment(orderId, T0.AddMinutes(5), "clerk-1"), null);
        (again.StreamId, again.Version, again.EventsAppended, again.Position).ShouldBe((OrderStreams.For(orderId), 2L, 0, (GlobalPosition?)null));
        (await Stream()).Count.ShouldBe(2);
    }

    [Fact]
    public async Task A_stale_expected_version_is_a_concurrency_conflict_and_writes_nothing()
    {
        await AwaitingPayment();
        var conflict = await Should.ThrowAsync<ConcurrencyException>(() => handler.DecideAsync(Context(2), Pay("psp-1"), 1));
        conflict.ActualVersion.ShouldBe(2);
        conflict.StreamId.ShouldBe(OrderStreams.For(orderId));
        (await Stream()).Count.ShouldBe(2);
    }

    [Fact]
    public async Task A_refused_command_raises_its_domain_error_and_writes_nothing()
    {
        await handler.DecideAsync(Context(), Create(), null);
        var refused = await Should.ThrowAsync<DomainError>(() => handler.DecideAsync(Context(1), new FulfilOrder(orderId, T0, "clerk-1"), null));
        refused.Code.ShouldBe("order.not_paid");
        (await Stream()).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Fifty_concurrent_payments_append_once_and_every_loser_is_a_replay_a_refusal_or_a_marten_conflict()
    {
        await AwaitingPayment();

        // No retry here. A command that read version 2 and lost the save must fail as the conflict Wolverine's policy
        // decides again; one that read after the winner committed meets the paid order: a replay of the winning
        // reference changes nothing, another reference is refused. Never a second paid event, never another failure.
        using var start = new SemaphoreSlim(0);
        var outcomes = Enumerable.Range(0, 50).Select(async i =>
        {
            await start.WaitAsync();
            var reference = i % 2 == 0 ? "psp-same" : $"psp-{i}";
            try
            {
                return (reference, Result: (object)await handler.DecideAsync(Context(2, $"corr-{i}"), Pay(reference), null));
            }
            catch (Exception e)
            {
                return (reference, Result: (object)e);
            }
        }).ToList();
        start.Release(outcomes.Count);
        var results = await Task.WhenAll(outcomes);

        var winner = results.Where(r => r.Result is OrderDecision { EventsAppended: 1 }).ShouldHaveSingleItem().reference;
        foreach (var (reference, result) in results)
        {
            switch (result)
            {
                case OrderDecision decision:
                    reference.ShouldBe(winner, "only the winning payment, or a replay of it, succeeds");
                    decision.Version.ShouldBe(3);
                    break;
                case DomainError error:
                    reference.ShouldNotBe(winner);
                    error.Code.ShouldBe("order.already_paid");
                    break;
                case Exception e:
                    LedgerMarten.IsConflict(e).ShouldBeTrue(e.ToString());
                    break;
            }
        }
        (await Stream()).Where(e => e.EventType == "commerce.order.paid").ShouldHaveSingleItem()
            .Data.GetProperty("payment_reference").GetString().ShouldBe(winner);
        var state = (await handler.LoadAsync(tenant, orderId)).ShouldNotBeNull();
        state.State.PaymentReference.ShouldBe(winner);
        state.Version.ShouldBe(3);
    }

    [Fact]
    public async Task Decided_again_after_losing_the_race_a_replayed_payment_changes_nothing_and_another_is_refused()
    {
        await AwaitingPayment();
        await handler.DecideAsync(Context(2), Pay("psp-1"), null);

        var replay = await handler.DecideAsync(Context(3, "corr-replay"), Pay("psp-1", 3), null);
        replay.EventsAppended.ShouldBe(0);
        replay.Version.ShouldBe(3);
        var second = await Should.ThrowAsync<DomainError>(() => handler.DecideAsync(Context(4, "corr-other"), Pay("psp-2", 4), null));
        second.Code.ShouldBe("order.already_paid");
        (await Stream()).Count.ShouldBe(3);
    }
}

using Ledger.Application.Orders;
using Ledger.Domain;
using Ledger.Domain.Orders;
using Ledger.EventStore;
using Ledger.TestSupport;

namespace Ledger.Application.Tests.Orders;

/// <summary>The order command path against the real PostgreSQL event store, one fresh schema and tenant per test.</summary>
public sealed class OrderHandlerTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly Guid orderId = Guid.CreateVersion7();
    private readonly string tenant = TestDatabase.NewTenant("orders");
    private TestDatabase db = null!;
    private OrderHandler handler = null!;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync();
        handler = new OrderHandler(db.Store);
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
        await handler.Handle(Context(), Create(), null);
        await handler.Handle(Context(1), new RequestPayment(orderId, T0.AddMinutes(1), "clerk-1"), null);
    }

    [Fact]
    public async Task Create_request_pay_fulfil_appends_one_event_each_and_reads_back_as_fulfilled()
    {
        var created = await handler.Handle(Context(), Create(), null);
        var requested = await handler.Handle(Context(1), new RequestPayment(orderId, T0.AddMinutes(1), "clerk-1"), 1);
        var paid = await handler.Handle(Context(2), Pay("psp-1"), 2);
        var fulfilled = await handler.Handle(Context(3), new FulfilOrder(orderId, T0.AddMinutes(3), "clerk-1"), null);

        created.ShouldBe(created with { StreamId = $"order-{orderId:D}", Version = 1, EventsAppended = 1 });
        created.Position.ShouldNotBeNull();
        new[] { requested.Version, paid.Version, fulfilled.Version }.ShouldBe([2L, 3L, 4L]);
        fulfilled.Position!.Value.ShouldBeGreaterThan(created.Position!.Value);

        var stream = await Stream();
        stream.Select(e => e.EventType).ShouldBe(
            ["commerce.order.created", "commerce.order.payment_requested", "commerce.order.paid", "commerce.order.fulfilled"]);
        stream.ShouldAllBe(e => e.TypeVersion == 1 && e.TenantId == tenant);
        stream[2].OccurredAt.ShouldBe(T0.AddMinutes(2));
        stream[2].Metadata.ShouldBe(new EventMetadata("corr-1", "cause-1", "clerk-1", "trace-1", "test"));
        stream[2].Data.GetProperty("amount").GetString().ShouldBe("25.00");
        stream[0].Data.GetProperty("personal").GetProperty("email").GetString().ShouldBe("ada@example.org");

        var snapshot = (await handler.Load(tenant, orderId)).ShouldNotBeNull();
        snapshot.Version.ShouldBe(4);
        snapshot.State.ShouldBeOfType<Order.Fulfilled>();
        snapshot.State.PaymentReference.ShouldBe("psp-1");
        snapshot.State.Facts!.Total.ShouldBe(25.00m);
    }

    [Fact]
    public async Task An_order_that_was_never_created_loads_as_null_and_in_no_other_tenant()
    {
        (await handler.Load(tenant, orderId)).ShouldBeNull();
        await handler.Handle(Context(), Create(), null);
        (await handler.Load(TestDatabase.NewTenant("other"), orderId)).ShouldBeNull();
    }

    [Fact]
    public async Task A_repeated_command_appends_nothing_and_reports_the_current_version()
    {
        await AwaitingPayment();
        var again = await handler.Handle(Context(5), new RequestPayment(orderId, T0.AddMinutes(5), "clerk-1"), null);
        again.ShouldBe(new CommandResult(OrderStreams.For(orderId), 2, null, 0));
        (await Stream()).Count.ShouldBe(2);
    }

    [Fact]
    public async Task A_stale_expected_version_is_a_concurrency_conflict_and_writes_nothing()
    {
        await AwaitingPayment();
        var conflict = await Should.ThrowAsync<ConcurrencyException>(() => handler.Handle(Context(2), Pay("psp-1"), 1));
        conflict.ActualVersion.ShouldBe(2);
        conflict.StreamId.ShouldBe(OrderStreams.For(orderId));
        (await Stream()).Count.ShouldBe(2);
    }

    [Fact]
    public async Task A_refused_command_raises_its_domain_error_and_writes_nothing()
    {
        await handler.Handle(Context(), Create(), null);
        var refused = await Should.ThrowAsync<DomainError>(() => handler.Handle(Context(1), new FulfilOrder(orderId, T0, "clerk-1"), null));
        refused.Code.ShouldBe("order.not_paid");
        (await Stream()).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Fifty_concurrent_payments_of_the_same_reference_pay_once_and_the_rest_change_nothing()
    {
        await AwaitingPayment();

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => handler.Handle(Context(2, $"corr-{i}"), Pay("psp-1"), null)));

        results.Count(r => r.EventsAppended == 1).ShouldBe(1);
        results.Count(r => r.EventsAppended == 0).ShouldBe(49);
        results.ShouldAllBe(r => r.Version == 3);
        (await Stream()).Count(e => e.EventType == "commerce.order.paid").ShouldBe(1);
    }

    [Fact]
    public async Task Fifty_concurrent_payments_with_different_references_pay_once_and_refuse_or_ignore_the_rest()
    {
        await AwaitingPayment();

        // Half replay one payment (psp-same); the other half are 25 distinct payments. Exactly one can win.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            var reference = i % 2 == 0 ? "psp-same" : $"psp-{i}";
            try
            {
                return (reference, Result: (object)await handler.Handle(Context(2, $"corr-{i}"), Pay(reference), null));
            }
            catch (Exception e) when (e is DomainError or ConcurrencyException)
            {
                return (reference, Result: (object)e);
            }
        }));

        var paid = (await Stream()).Where(e => e.EventType == "commerce.order.paid").ToList();
        paid.Count.ShouldBe(1);
        var winner = paid[0].Data.GetProperty("payment_reference").GetString();

        outcomes.Count(o => o.Result is CommandResult { EventsAppended: 1 }).ShouldBe(1);
        foreach (var (reference, result) in outcomes)
        {
            switch (result)
            {
                case CommandResult r:
                    reference.ShouldBe(winner, "only the winning payment, or a replay of it, succeeds");
                    r.Version.ShouldBe(3);
                    break;
                case DomainError error:
                    reference.ShouldNotBe(winner);
                    error.Code.ShouldBe("order.already_paid");
                    break;
                case ConcurrencyException:
                    break; // allowed by the contract after MaxAttempts, though one winner means it should not happen
            }
        }

        var state = (await handler.Load(tenant, orderId)).ShouldNotBeNull();
        state.State.PaymentReference.ShouldBe(winner);
        state.Version.ShouldBe(3);
    }
}

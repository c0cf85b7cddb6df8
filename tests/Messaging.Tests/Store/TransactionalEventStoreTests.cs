using Ledger.Application.Orders;
using Ledger.Domain.Orders;
using Ledger.EventStore;
using Ledger.Messaging.Tests.Infrastructure;
using Ledger.TestSupport;
using Npgsql;

namespace Ledger.Messaging.Tests.Store;

/// <summary>The event store inside a caller's transaction (an inbound message's): appends commit or roll back with it.</summary>
public sealed class TransactionalEventStoreTests : IAsyncLifetime
{
    private TestDatabase db = null!;

    public async Task InitializeAsync() => db = await TestDatabase.CreateAsync(MessagingMigrations.Set);

    public async Task DisposeAsync() => await db.DisposeAsync();

    [Fact]
    public async Task Appends_commit_or_roll_back_with_the_callers_transaction()
    {
        var orders = new TestOrders(db.Store, TestDatabase.NewTenant());
        var id = await orders.CreateAsync();
        await orders.RequestPaymentAsync(id);

        await using (var connection = await db.AppDataSource.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            var inside = new OrderHandler(new TransactionalEventStore(db.EventStore, tx));
            await inside.Handle(orders.Context(), new PayOrder(id, 25.00m, "psp-1", DateTimeOffset.UtcNow, "psp"), null);
            (await inside.Load(orders.Tenant, id))!.State.ShouldBeOfType<Order.Paid>("reads see the transaction's own appends");
            await tx.RollbackAsync();
        }
        (await orders.EventsAsync(id)).Count.ShouldBe(2);

        await using (var connection = await db.AppDataSource.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await new OrderHandler(new TransactionalEventStore(db.EventStore, tx))
                .Handle(orders.Context(), new PayOrder(id, 25.00m, "psp-1", DateTimeOffset.UtcNow, "psp"), null);
            await tx.CommitAsync();
        }
        (await orders.EventsAsync(id)).Count.ShouldBe(3);
    }

    [Fact]
    public async Task A_conflicting_append_leaves_the_transaction_usable_so_the_handler_decides_again()
    {
        var orders = new TestOrders(db.Store, TestDatabase.NewTenant());
        var id = await orders.CreateAsync();
        await orders.RequestPaymentAsync(id);

        await using var connection = await db.AppDataSource.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var store = new TransactionalEventStore(db.EventStore, tx);
        var stale = new StreamAppend(OrderStreams.For(id), ExpectedVersion.Exactly(1), [TestEvents.Event()]);
        await Should.ThrowAsync<ConcurrencyException>(() => store.AppendAsync(orders.Tenant, [stale]));
        await Should.ThrowAsync<ArgumentException>(() => store.AppendAsync(orders.Tenant, [stale with { Expected = ExpectedVersion.Any }]));

        var result = await new OrderHandler(store).Handle(orders.Context(), new PayOrder(id, 25.00m, "psp-1", DateTimeOffset.UtcNow, "psp"), null);
        await tx.CommitAsync();
        result.Version.ShouldBe(3);
        (await orders.EventsAsync(id)).Last().EventType.ShouldBe(OrderEventCodec.Paid);
    }
}

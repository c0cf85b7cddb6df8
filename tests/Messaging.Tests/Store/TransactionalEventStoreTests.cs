using Ledger.Application.Orders;
using Ledger.Domain.Orders;
using Ledger.EventStore;
using Ledger.Messaging.Consumers;
using Ledger.Messaging.Tests.Infrastructure;
using Ledger.TestSupport;
using Npgsql;

namespace Ledger.Messaging.Tests.Store;

/// <summary>The event store inside a consumer's inbox transaction: appends commit or roll back with the inbox row.</summary>
public sealed class TransactionalEventStoreTests : IAsyncLifetime
{
    private TestDatabase db = null!;

    public async Task InitializeAsync() => db = await TestDatabase.CreateAsync(MessagingMigrations.Set);

    public async Task DisposeAsync() => await db.DisposeAsync();

    [Fact]
    public async Task Appends_and_the_inbox_row_commit_together_or_not_at_all()
    {
        var orders = new TestOrders(db.Store, TestDatabase.NewTenant());
        var id = await orders.CreateAsync();
        await orders.RequestPaymentAsync(id);

        await using (var connection = await db.AppDataSource.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            (await Inbox.TryRecordAsync(new(connection, tx), orders.Tenant, "payments", "m-1", "t.v1", default)).ShouldBeTrue();
            var inside = new OrderHandler(new TransactionalEventStore(db.EventStore, tx));
            await inside.Handle(orders.Context(), new PayOrder(id, 25.00m, "psp-1", DateTimeOffset.UtcNow, "psp"), null);
            (await inside.Load(orders.Tenant, id))!.State.ShouldBeOfType<Order.Paid>("reads see the transaction's own appends");
            await tx.RollbackAsync();
        }
        (await orders.EventsAsync(id)).Count.ShouldBe(2);
        (await Inbox.ContainsAsync(db.AppDataSource, orders.Tenant, "payments", "m-1")).ShouldBeFalse();

        await using (var connection = await db.AppDataSource.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            (await Inbox.TryRecordAsync(new(connection, tx), orders.Tenant, "payments", "m-1", "t.v1", default)).ShouldBeTrue();
            await new OrderHandler(new TransactionalEventStore(db.EventStore, tx))
                .Handle(orders.Context(), new PayOrder(id, 25.00m, "psp-1", DateTimeOffset.UtcNow, "psp"), null);
            await tx.CommitAsync();
        }
        (await orders.EventsAsync(id)).Count.ShouldBe(3);
        (await Inbox.ContainsAsync(db.AppDataSource, orders.Tenant, "payments", "m-1")).ShouldBeTrue();
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

    [Fact]
    public async Task The_application_role_can_add_inbox_rows_but_never_delete_them()
    {
        await using var connection = await db.AppDataSource.OpenConnectionAsync();
        await using (var tx = await connection.BeginTransactionAsync())
        {
            (await Inbox.TryRecordAsync(new(connection, tx), "t", "c", "m", "x.v1", default)).ShouldBeTrue();
            (await Inbox.TryRecordAsync(new(connection, tx), "t", "c", "m", "x.v1", default)).ShouldBeFalse();
            await tx.CommitAsync();
        }
        await using var delete = new NpgsqlCommand("DELETE FROM inbox", connection);
        (await Should.ThrowAsync<PostgresException>(() => delete.ExecuteNonQueryAsync())).SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
    }
}

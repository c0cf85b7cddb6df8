using Ledger.Application.Orders;
using Ledger.Domain.Orders;
using Ledger.EventStore.MartenStore;
using Ledger.Messaging.Tests.Infrastructure;
using Ledger.TestSupport;

namespace Ledger.Messaging.Tests.Store;

/// <summary>
/// An order command decided on a Marten session enlisted in a caller's transaction (an inbound message's,
/// <c>MartenEventStore.SessionIn</c>): its events commit or roll back with the transaction, and a race lost
/// inside it fails as the Marten conflict the consumer's retry policy runs again.
/// </summary>
public sealed class EnlistedSessionTests : IAsyncLifetime
{
    private TestDatabase db = null!;

    public async Task InitializeAsync() => db = await TestDatabase.CreateAsync(MessagingMigrations.Set);

    public async Task DisposeAsync() => await db.DisposeAsync();

    private static DecideOrder Pay(TestOrders orders, Guid id, string reference = "psp-1") =>
        new(new PayOrder(id, 25.00m, reference, DateTimeOffset.UtcNow, "psp"), orders.Context(), null);

    [Fact]
    public async Task Events_commit_or_roll_back_with_the_callers_transaction_and_reads_see_them_inside_it()
    {
        var orders = new TestOrders(db, TestDatabase.NewTenant());
        var id = await orders.CreateAsync();
        await orders.RequestPaymentAsync(id);

        await using (var connection = await db.AppDataSource.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await using (var session = db.EventStore.SessionIn(tx, orders.Tenant))
            {
                await OrderDecisions.DecideOnAsync(session, Pay(orders, id), db.EventStore, db.SubjectKeys, Unjournaled.Instance, default);
                await session.SaveChangesAsync();
            }
            await using (var inside = db.EventStore.SessionIn(tx, orders.Tenant))
                (await OrderDecisions.LoadAsync(inside, id, default))!.State.ShouldBeOfType<Order.Paid>("reads see the transaction's own appends");
            await tx.RollbackAsync();
        }
        (await orders.EventsAsync(id)).Count.ShouldBe(2);

        await using (var connection = await db.AppDataSource.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await using (var session = db.EventStore.SessionIn(tx, orders.Tenant))
            {
                await OrderDecisions.DecideOnAsync(session, Pay(orders, id), db.EventStore, db.SubjectKeys, Unjournaled.Instance, default);
                await session.SaveChangesAsync();
            }
            await tx.CommitAsync();
        }
        (await orders.EventsAsync(id)).Count.ShouldBe(3);
    }

    [Fact]
    public async Task A_command_that_loses_a_race_inside_the_transaction_fails_as_a_marten_conflict_and_writes_nothing()
    {
        var orders = new TestOrders(db, TestDatabase.NewTenant());
        var id = await orders.CreateAsync();
        await orders.RequestPaymentAsync(id);

        await using (var connection = await db.AppDataSource.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await using var session = db.EventStore.SessionIn(tx, orders.Tenant);
            await OrderDecisions.DecideOnAsync(session, Pay(orders, id), db.EventStore, db.SubjectKeys, Unjournaled.Instance, default);
            await orders.PayAsync(id, "psp-2"); // a writer that took no lock wins the order meanwhile
            var lost = await Should.ThrowAsync<Exception>(() => session.SaveChangesAsync());
            LedgerMarten.IsConflict(lost).ShouldBeTrue(lost.ToString()); // what the consumer's retry policy runs again
        }

        var events = await orders.EventsAsync(id);
        events.Count.ShouldBe(3);
        events[^1].Data.GetProperty("payment_reference").GetString().ShouldBe("psp-2");
    }
}

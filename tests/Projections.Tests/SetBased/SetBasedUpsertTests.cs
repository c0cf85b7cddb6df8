using Ledger.Domain.Orders;
using Ledger.EventStore;
using Ledger.Projections.Model;
using Ledger.Projections.Invoicing;
using Ledger.Projections.Orders;
using Ledger.Projections.Receivables;
using Ledger.Projections.SalesJournal;
using Ledger.Projections.Tests.Infrastructure;

namespace Ledger.Projections.Tests.SetBased;

/// <summary>Which statements fold set-based, and how rows sharing a conflict key are kept apart.</summary>
public sealed class SetBasedUpsertTests
{
    private static readonly Guid OrderA = Guid.CreateVersion7(), OrderB = Guid.CreateVersion7();

    [Fact]
    public void The_plain_upserts_of_orders_receivables_and_the_register_fold_and_the_CTE_statements_do_not()
    {
        Upsert(new OrdersProjection(), new OrderPaymentFailed(OrderA, "declined", OrderHistory.Start)).ShouldNotBeNull();
        Upsert(new ReceivablesProjection(), new OrderPaymentRequested(OrderA, 10m, OrderHistory.Start)).ShouldNotBeNull();
        Upsert(new SalesJournalProjection(), new OrderPaid(OrderA, 10m, "psp", OrderHistory.Start)).ShouldBeNull();
        SetBasedUpsert.Of(Resolve("UPDATE t_{g} SET a = $1", 1)).ShouldBeNull();
        SetBasedUpsert.Of(Resolve(
            "INSERT INTO t_{g} (a, b) VALUES ($1, $2) ON CONFLICT (a) DO UPDATE SET b = $3", 1)).ShouldBeNull(); // a parameter outside VALUES
    }

    [Fact]
    public void Rows_sharing_a_conflict_key_go_in_successive_waves_in_store_order()
    {
        var projection = new OrdersProjection();
        var rows = new[] { OrderA, OrderB, OrderA, OrderA, OrderB }
            .Select((id, i) => projection.Apply(Recorded(new OrderPaymentFailed(id, "declined", OrderHistory.Start.AddHours(i)), "t1"))!).ToList();
        var upsert = SetBasedUpsert.Of(Resolve(rows[0].Sql, 1))!;

        upsert.Waves(rows)!.ShouldBe([[0, 1], [2, 4], [3]]);
        var command = upsert.Command([rows[0], rows[1]]);
        command.CommandText.ShouldContain("FROM unnest($1, $2, $3, $4, $5) AS u(p1, p2, p3, p4, p5)");
        command.CommandText.ShouldContain("orders_rm_g1");
        command.Parameters[1].Value.ShouldBe(new Guid?[] { OrderA, OrderB });
    }

    [Fact]
    public void A_parameter_null_in_every_row_becomes_a_NULL_literal_and_one_of_mixed_types_is_not_folded()
    {
        var upsert = SetBasedUpsert.Of(Resolve(
            "INSERT INTO t_{g} AS t (k, a, b) VALUES ($1, $2, $3::jsonb) ON CONFLICT (k) DO UPDATE SET a = excluded.a", 2))!;
        var command = upsert.Command([new ProjectionStatement("x", "k1", null, "{}"), new ProjectionStatement("x", "k2", null, null)]);
        command.CommandText.ShouldContain("SELECT u.p1, NULL, u.p3::jsonb FROM unnest($1, $2) AS u(p1, p3)");
        command.Parameters.Count.ShouldBe(2);

        upsert.Waves([new ProjectionStatement("x", "k1", 1L, "{}"), new ProjectionStatement("x", "k2", 1, "{}")]).ShouldBeNull();
    }

    private static SetBasedUpsert? Upsert(IReadModel projection, OrderEvent e) =>
        SetBasedUpsert.Of(Resolve(projection.Apply(Recorded(e, "t1"))!.Sql, 1));

    private static string Resolve(string sql, int generation) => sql.Replace("_{g}", $"_g{generation}", StringComparison.Ordinal);

    private static RecordedEvent Recorded(OrderEvent e, string tenant)
    {
        var append = OrderHistory.ToAppend(e);
        return new RecordedEvent(new GlobalPosition(1), tenant, Application.Orders.OrderStreams.For(e.OrderId), 1, append.EventId,
            append.EventType, append.TypeVersion, append.OccurredAt, append.Data, append.Metadata, 1, new byte[32], new byte[32], DateTimeOffset.UtcNow);
    }
}

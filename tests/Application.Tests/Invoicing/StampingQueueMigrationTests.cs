using Ledger.Application.Invoicing;
using Ledger.Application.Invoicing.Stamping;
using Ledger.EventStore.Migrations;
using Ledger.TestSupport;

namespace Ledger.Application.Tests.Invoicing;

/// <summary>
/// Migration 0302 moves the table queue's work to the stamping shard: the shard starts just before the earliest invoice
/// still queued (so it sends a <see cref="StampInvoice"/> for it and every later one), or at the end of the store when
/// nothing was queued; the trigger and the table are gone, and invoices are still issued.
/// </summary>
public sealed class StampingQueueMigrationTests
{
    private static async Task<InvoicingTestBed> BeforeTheMoveAsync()
    {
        var bed = await InvoicingTestBed.CreateAsync(invoicing: InvoicingMigrations.Set.Through(301));
        // The rights the grants gave before 0302 (today's grants no longer name the queue).
        await using var grant = bed.Db.AdminDataSource.CreateCommand($"""
            GRANT SELECT, INSERT, UPDATE, DELETE ON fiscal_stamping_queue TO {TestDatabase.AppRole};
            ALTER FUNCTION fiscal_enqueue_for_stamping() SET search_path = {Migrator.Quote(bed.Db.Schema)}, pg_catalog;
            """);
        await grant.ExecuteNonQueryAsync();
        return bed;
    }

    // Before 0302 invoices were all version 1 (the trigger and the move match that type): no personal data, which is
    // sealed into version 2 since.
    private static Ledger.Application.Invoicing.IssueInvoiceRequest Unsealed() => InvoicingTestBed.Request() with { Personal = null };

    private static Task MoveAsync(InvoicingTestBed bed) =>
        Migrator.MigrateAsync(bed.Db.AdminDataSource, bed.Db.Schema, TestDatabase.AppRole,
            [MigrationSet.LedgerChain, MigrationSet.EventStore, InvoicingMigrations.Set]);

    private static async Task<long> Scalar(InvoicingTestBed bed, string sql, params object[] parameters)
    {
        await using var command = bed.Db.AdminDataSource.CreateCommand(sql);
        foreach (var p in parameters) command.Parameters.Add(new() { Value = p });
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    private static Task<long> ShardStart(InvoicingTestBed bed) =>
        Scalar(bed, "SELECT last_seq_id FROM mt_event_progression WHERE name = $1", StampingSubscription.ShardName);

    private static async Task<long> IssuedSeq(InvoicingTestBed bed, Guid invoiceId) =>
        (await bed.Stream(InvoiceStreams.Invoice(invoiceId))).First().Position.Seq;

    [Fact]
    public async Task The_shard_starts_just_before_the_earliest_invoice_still_queued_and_the_table_and_trigger_are_dropped()
    {
        await using var bed = await BeforeTheMoveAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++) ids.Add((await bed.Issuer.IssueAsync(bed.Context(), Unsealed())).DocumentId);
        // The first was stamped and left the queue; the second and third still wait (one of them sealed, say).
        await using (var done = bed.Db.AdminDataSource.CreateCommand("DELETE FROM fiscal_stamping_queue WHERE document_id = $1"))
        {
            done.Parameters.Add(new() { Value = ids[0] });
            (await done.ExecuteNonQueryAsync()).ShouldBe(1);
        }
        (await Scalar(bed, "SELECT count(*) FROM fiscal_stamping_queue")).ShouldBe(2);

        await MoveAsync(bed);

        (await ShardStart(bed)).ShouldBe(await IssuedSeq(bed, ids[1]) - 1);
        (await Scalar(bed, "SELECT count(*) FROM pg_class WHERE relname = 'fiscal_stamping_queue' AND relnamespace = $1::regnamespace", bed.Db.Schema)).ShouldBe(0);
        (await Scalar(bed, """
            SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
             WHERE t.tgname = 'events_fiscal_stamping' AND c.relnamespace = $1::regnamespace
            """, bed.Db.Schema)).ShouldBe(0);
        var after = await bed.Issuer.IssueAsync(bed.Context(), InvoicingTestBed.Request());
        (await IssuedSeq(bed, after.DocumentId)).ShouldBeGreaterThan(await ShardStart(bed));
    }

    [Fact]
    public async Task With_nothing_queued_the_shard_starts_at_the_end_of_the_store()
    {
        await using var bed = await BeforeTheMoveAsync();
        var id = (await bed.Issuer.IssueAsync(bed.Context(), Unsealed())).DocumentId;
        await using (var done = bed.Db.AdminDataSource.CreateCommand("DELETE FROM fiscal_stamping_queue"))
            await done.ExecuteNonQueryAsync();

        await MoveAsync(bed);

        (await ShardStart(bed)).ShouldBe(await Scalar(bed, "SELECT max(seq_id) FROM mt_events"));
        (await ShardStart(bed)).ShouldBeGreaterThanOrEqualTo(await IssuedSeq(bed, id));
    }
}

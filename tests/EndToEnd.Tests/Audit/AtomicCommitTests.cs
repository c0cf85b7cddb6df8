using System.Net;
using Ledger.Application.Orders;
using Ledger.EventStore.MartenStore;
using Ledger.EndToEnd.Tests.Idempotency;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests.Audit;

/// <summary>
/// A command's events, its audit entry and its idempotency key's claim are one commit: all of them, or none. A command
/// whose answer was lost after that commit is never run again under its key.
/// </summary>
public sealed class AtomicCommitTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>
{
    [Fact]
    public async Task When_the_commit_fails_neither_the_events_nor_the_success_entry_exist()
    {
        // A deferred constraint trigger runs at COMMIT, after the events, the entry and the key's claim were all
        // written: refusing there must undo every one of them.
        var schema = app.Db.Schema;
        await app.Db.ScalarAsync($"""
            CREATE OR REPLACE FUNCTION {schema}.refuse_poison_key() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.idempotency_key = 'poison' THEN RAISE EXCEPTION 'refused at commit for the test'; END IF;
                RETURN NEW;
            END $$;
            DROP TRIGGER IF EXISTS refuse_poison_key ON {schema}.idempotency_keys;
            CREATE CONSTRAINT TRIGGER refuse_poison_key AFTER INSERT ON {schema}.idempotency_keys
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {schema}.refuse_poison_key();
            SELECT 1;
            """);
        var tenant = TestDatabase.NewTenant();
        var clerk = new IdempotentClient(app.Client(), app.Tokens.For(tenant, LedgerRoles.Clerk));

        using var response = await clerk.PostAsync("/api/orders", OrderApi.CreateBody, "poison");

        await response.ShouldBeProblem(HttpStatusCode.InternalServerError, "internal");
        // Marten writes tombstones for the sequence numbers a failed save drew (its gap-free sequence); they are no
        // Ledger events and carry nothing of the command.
        var chain = (await app.Db.ChainAsync(tenant)).Where(r => r.StreamId != EventShapes.TombstoneStream).ToList();
        chain.ShouldNotContain(r => r.EventType == OrderEventCodec.Created);
        chain.Count.ShouldBe(1);
        (chain[0].Result, chain[0].Status, chain[0].Code).ShouldBe(("failure", (int?)500, "internal"));
        (await app.Db.ScalarAsync("SELECT count(*) FROM idempotency_keys WHERE tenant_id = $1", tenant)).ShouldBe(0);
    }

    [Fact]
    public async Task When_the_answer_cannot_be_stored_the_command_stands_and_a_retry_is_told_so_without_running_again()
    {
        // The command commits (events, entry, key claimed); storing its answer under the key then fails, as when
        // the process dies in between.
        var schema = app.Db.Schema;
        await app.Db.ScalarAsync($"""
            CREATE OR REPLACE FUNCTION {schema}.refuse_answer() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.idempotency_key = 'unanswerable' THEN RAISE EXCEPTION 'answer refused for the test'; END IF;
                RETURN NEW;
            END $$;
            DROP TRIGGER IF EXISTS refuse_answer ON {schema}.idempotency_keys;
            CREATE TRIGGER refuse_answer BEFORE UPDATE ON {schema}.idempotency_keys
                FOR EACH ROW EXECUTE FUNCTION {schema}.refuse_answer();
            SELECT 1;
            """);
        var tenant = TestDatabase.NewTenant();
        var clerk = new IdempotentClient(app.Client(), app.Tokens.For(tenant, LedgerRoles.Clerk));

        using (var first = await clerk.PostAsync("/api/orders", OrderApi.CreateBody, "unanswerable"))
            await first.ShouldBeProblem(HttpStatusCode.InternalServerError, "internal");
        using (var retry = await clerk.PostAsync("/api/orders", OrderApi.CreateBody, "unanswerable"))
            await retry.ShouldBeProblem(HttpStatusCode.Conflict, "idempotency.response_unavailable");

        var chain = await app.Db.ChainAsync(tenant);
        chain.Count(r => r.EventType == OrderEventCodec.Created).ShouldBe(1);
        chain.Where(r => r.IsAudit).Select(r => (r.Result, r.Status, r.Code)).ShouldBe(
        [
            ("success", (int?)null, (string?)null),
            ("failure", 500, "internal"),
            ("failure", 409, "idempotency.response_unavailable"),
        ]);
    }
}

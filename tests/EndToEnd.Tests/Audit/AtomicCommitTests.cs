using System.Net;
using Ledger.Application.Orders;
using Ledger.EndToEnd.Tests.Idempotency;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests.Audit;

/// <summary>A command's events, its audit entry and its idempotency key are one commit: all of them, or none.</summary>
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
        var chain = await app.Db.ChainAsync(tenant);
        chain.ShouldNotContain(r => r.EventType == OrderEventCodec.Created);
        chain.Count.ShouldBe(1);
        (chain[0].Result, chain[0].Status, chain[0].Code).ShouldBe(("failure", (int?)500, "internal"));
        (await app.Db.ScalarAsync("SELECT count(*) FROM idempotency_keys WHERE tenant_id = $1", tenant)).ShouldBe(0);
    }
}

using Ledger.EventStore.Checkpoints;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests.Auditing;

/// <summary>
/// The measured attack of issue 15: a PostgreSQL superuser rewrites a tenant's chain, hashes and all, and deletes its
/// checkpoints. The Host's signer, which keeps what it signed beside its key, does not sign the rewrite: it stops, and
/// says so in the log (Error), in <c>/health/ready</c> (degraded) and in the <c>ledger.checkpoint.signer_halted</c> gauge.
/// </summary>
public sealed class SignerRewriteTests(RewrittenChainAppFixture app) : IClassFixture<RewrittenChainAppFixture>
{
    [Fact]
    public async Task A_rewritten_chain_whose_checkpoints_were_deleted_stops_the_signer_and_it_says_so()
    {
        var tenant = TestDatabase.NewTenant("forged");
        var checkpoints = app.Service<CheckpointStore>();
        await app.AppendAsync(tenant, 3);
        await Eventually.Until(() => checkpoints.LatestAsync(tenant), c => c?.Checkpoint.ChainSeq >= 4, what: "the first checkpoint");
        (await app.Client().GetStringAsync("/health/ready")).ShouldBe("Healthy");

        await app.Db.RewriteFromAsync(tenant, 2);
        await app.Db.TamperAsync("DELETE FROM checkpoints WHERE tenant_id = $1", tenant);
        await app.AppendAsync(tenant, 3);

        await Eventually.Until(() => app.Client().GetStringAsync("/health/ready"), r => r == "Degraded", what: "readiness to degrade");
        var stop = app.Service<SignedHeads>().Halt.ShouldNotBeNull();
        (stop.TenantId, stop.Position).ShouldBe((tenant, 4L));
        (await checkpoints.LatestAsync(tenant)).ShouldBeNull("the rewrite is not signed");
        (await app.Client(app.Tokens.For(tenant, Host.Auth.LedgerRoles.Operator)).GetStringAsync("/metrics"))
            .ShouldContain("ledger_checkpoint_signer_halted 1");

        // Nor is anything else: the database that rewrote one chain can rewrite any.
        var other = TestDatabase.NewTenant("after");
        await app.AppendAsync(other, 4);
        await Task.Delay(TimeSpan.FromMilliseconds(300)); // fifteen rounds of the signer
        (await checkpoints.LatestAsync(other)).ShouldBeNull();
    }
}

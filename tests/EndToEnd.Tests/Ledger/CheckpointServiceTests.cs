using System.Net;
using Ledger.EventStore.Checkpoints;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests.Auditing;

/// <summary>The checkpoint signer as the Host runs it: in the background, on its own, every N entries.</summary>
public sealed class CheckpointServiceTests(SigningAuditorAppFixture app) : IClassFixture<SigningAuditorAppFixture>
{
    [Fact]
    public async Task The_background_signer_checkpoints_a_tenant_after_N_entries_and_announces_its_key_first()
    {
        var tenant = TestDatabase.NewTenant("bg");
        await app.AppendAsync(tenant, 3);
        var checkpoints = app.Service<CheckpointStore>();

        var latest = await Eventually.Until(() => checkpoints.LatestAsync(tenant), c => c is not null, what: "a checkpoint");

        latest!.Checkpoint.ChainSeq.ShouldBe(4, "three entries, then the key's rotation entry, then the checkpoint");
        (await app.Db.Store.ReadStreamAsync(tenant, SigningKeyRotation.StreamId)).ShouldHaveSingleItem().ChainSeq.ShouldBe(4);
        var verify = await AuditorApiTests.Json(app.Auditor(tenant), "/api/ledger/verify");
        (verify.GetProperty("status").GetString(), verify.GetProperty("checkpoints_verified").GetInt32()).ShouldBe(("verified", 1));
        (await app.Client().GetAsync("/api/ledger/jwks")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}

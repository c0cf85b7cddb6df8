using System.Net;
using Ledger.EventStore.Checkpoints;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests.Auditing;

/// <summary>
/// The operator's answer to a leaked key (docs/ledger-format.md §7): <c>ledger checkpoints revoke-key</c> while the Host
/// signs. The JWKS shows the revocation, every tenant's chain records it, nothing is signed or exported until
/// <c>rotate-key</c>, and then the Host signs with the new key and the chain verifies.
/// </summary>
public sealed class CheckpointKeyRevocationTests(DataDirectoryAuditorAppFixture app) : IClassFixture<DataDirectoryAuditorAppFixture>
{
    [Fact]
    public async Task Revoke_key_stops_signing_until_a_rotation_and_is_recorded_in_the_jwks_and_every_chain()
    {
        var tenant = TestDatabase.NewTenant("revoke");
        var checkpoints = app.Service<CheckpointStore>();
        await app.AppendAsync(tenant, 3);
        var first = await Eventually.Until(() => checkpoints.LatestAsync(tenant), c => c is not null, what: "a checkpoint under the first key");

        var future = await app.LedgerAsync("checkpoints", "revoke-key", "--kid", first!.Kid, "--reason", "drill", "--at", "2999-01-01T00:00:00Z");
        future.ExitCode.ShouldBe(2, future.Stdout + future.Stderr);
        var unknown = await app.LedgerAsync("checkpoints", "revoke-key", "--kid", "no-such-key", "--reason", "drill");
        unknown.ExitCode.ShouldBe(1, unknown.Stdout + unknown.Stderr);
        unknown.Stderr.ShouldContain("no key no-such-key");

        var revoke = await app.LedgerAsync("checkpoints", "revoke-key", "--kid", first.Kid, "--reason", "leak drill");
        revoke.ExitCode.ShouldBe(0, revoke.Stderr);
        revoke.Stdout.ShouldContain($"key {first.Kid} is revoked from");
        revoke.Stdout.ShouldContain("the active key is revoked");

        var jwks = await AuditorApiTests.Json(app.Auditor(tenant), "/api/ledger/jwks");
        jwks.GetProperty("keys")[0].GetProperty("revoked_at").GetString().ShouldNotBeNull();
        var stream = await app.Db.Store.ReadStreamAsync(tenant, SigningKeyRotation.StreamId);
        stream[^1].EventType.ShouldBe(SigningKeyRotation.RevokedEventType);
        using (var refused = await app.Auditor(tenant).GetAsync("/api/ledger/export"))
            refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, await refused.Content.ReadAsStringAsync());

        var rotate = await app.LedgerAsync("checkpoints", "rotate-key");
        rotate.ExitCode.ShouldBe(0, rotate.Stderr);
        var active = await app.Service<SigningKeyHistory>().ActiveKidAsync();
        var next = await Eventually.Until(() => checkpoints.LatestAsync(tenant), c => c!.Kid == active, what: "a checkpoint under the new key");
        next!.Checkpoint.TreeRoot.ShouldNotBeNull();

        var auditor = app.Auditor(tenant);
        var verify = await AuditorApiTests.Json(auditor, "/api/ledger/verify?to=" + next.Checkpoint.ChainSeq);
        while (verify.GetProperty("status").GetString() == "in_progress")
            verify = await AuditorApiTests.Json(auditor, "/api/ledger/verify?cursor=" + verify.GetProperty("next_cursor").GetString());
        verify.GetProperty("status").GetString().ShouldBe("verified", verify.ToString());
        verify.GetProperty("tree_root").GetString().ShouldBe(Convert.ToHexStringLower(next.Checkpoint.TreeRoot));
    }
}

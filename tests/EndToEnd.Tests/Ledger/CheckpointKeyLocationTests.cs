using System.Net;
using Ledger.EventStore.Checkpoints;
using Ledger.Host.Auditing;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests.Auditing;

/// <summary>
/// The operator flow of the README while the Host signs: <c>ledger export</c> from another working directory signs with
/// the Host's own key (one data directory), and a CLI pointed at another key is refused instead of superseding the
/// Host's, which kept the Host from ever signing again and made <c>GET /api/ledger/export</c> answer 503 (issue 12).
/// </summary>
public sealed class CheckpointKeyLocationTests(DataDirectoryAuditorAppFixture app) : IClassFixture<DataDirectoryAuditorAppFixture>
{
    [Fact]
    public async Task A_cli_export_beside_the_signing_host_uses_its_key_and_the_host_keeps_signing()
    {
        var tenant = TestDatabase.NewTenant("shared");
        var checkpoints = app.Service<CheckpointStore>();
        await app.AppendAsync(tenant, 3);
        await Eventually.Until(() => checkpoints.LatestAsync(tenant), c => c is not null, what: "the host's first checkpoint");
        var hostKid = app.Service<CheckpointKeyProvider>().Key.Kid;
        File.Exists(app.CheckpointKeyPath).ShouldBeTrue("the host created its key at the default place in the data directory");

        var export = await app.LedgerAsync("export", "--tenant", tenant, app.NewPath("export"));
        export.ExitCode.ShouldBe(0, export.Stderr);
        export.Stdout.ShouldContain($"manifest signed by key {hostKid}");

        var stray = app.NewPath("stray-key.pem");
        CheckpointKeyFile.Generate(stray);
        var refused = await app.LedgerAsync(new Dictionary<string, string> { ["Ledger__Checkpoints__KeyPath"] = stray },
            "export", "--tenant", tenant, app.NewPath("export"));
        refused.ExitCode.ShouldBe(1, refused.Stdout + refused.Stderr);
        refused.Stderr.ShouldContain($"the checkpoint key at {stray} is not the active signing key {hostKid}");
        (await app.Service<SigningKeyHistory>().ReadAsync()).Keys.ShouldHaveSingleItem().Kid.ShouldBe(hostKid);

        await app.AppendAsync(tenant, 3);
        var later = await Eventually.Until(() => checkpoints.LatestAsync(tenant), c => c!.Checkpoint.ChainSeq >= 7, what: "a checkpoint after the exports");
        later!.Kid.ShouldBe(hostKid);
        using var download = await app.Auditor(tenant).GetAsync("/api/ledger/export");
        download.StatusCode.ShouldBe(HttpStatusCode.OK, await download.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_cli_never_creates_a_checkpoint_key_of_its_own()
    {
        var tenant = TestDatabase.NewTenant("nokey");
        await app.AppendAsync(tenant, 3);
        await Eventually.Until(() => app.Service<CheckpointStore>().LatestAsync(tenant), c => c is not null, what: "the host's key registered and signing");
        var empty = app.NewPath("empty-data");
        var refused = await app.LedgerAsync(new Dictionary<string, string> { ["Ledger__DataDirectory"] = empty },
            "export", "--tenant", tenant, app.NewPath("export"));

        refused.ExitCode.ShouldBe(1, refused.Stdout + refused.Stderr);
        refused.Stderr.ShouldContain($"The checkpoint signing key {Path.Combine(empty, CheckpointOptions.DefaultKeyPath)} does not exist");
        Directory.Exists(empty).ShouldBeFalse("nothing was created");
        (await app.Service<SigningKeyHistory>().ReadAsync()).Keys.ShouldHaveSingleItem().Kid.ShouldBe(app.Service<CheckpointKeyProvider>().Key.Kid);
    }
}

/// <summary>Superseding the active key is one explicit command, and the Host sharing the key file goes on with the new key.</summary>
public sealed class CheckpointKeyRotationTests(DataDirectoryAuditorAppFixture app) : IClassFixture<DataDirectoryAuditorAppFixture>
{
    [Fact]
    public async Task Rotate_key_makes_a_new_key_active_and_the_host_signs_with_it_without_a_restart()
    {
        var tenant = TestDatabase.NewTenant("rotate");
        var checkpoints = app.Service<CheckpointStore>();
        await app.AppendAsync(tenant, 3);
        var first = await Eventually.Until(() => checkpoints.LatestAsync(tenant), c => c is not null, what: "a checkpoint under the first key");

        var rotate = await app.LedgerAsync("checkpoints", "rotate-key");

        rotate.ExitCode.ShouldBe(0, rotate.Stderr);
        var history = app.Service<SigningKeyHistory>();
        var active = await history.ActiveKidAsync();
        active.ShouldNotBe(first!.Kid);
        rotate.Stdout.ShouldContain($"checkpoint signing key {active} is active (superseding {first.Kid})");
        File.Exists($"{app.CheckpointKeyPath}.{first.Kid}.retired").ShouldBeTrue("the old key is kept beside the new one");

        await app.AppendAsync(tenant, 3);
        var next = await Eventually.Until(() => checkpoints.LatestAsync(tenant), c => c!.Kid == active, what: "a checkpoint under the rotated key");
        next!.Checkpoint.ChainSeq.ShouldBeGreaterThan(first.Checkpoint.ChainSeq);
        (await app.Db.Store.ReadStreamAsync(tenant, SigningKeyRotation.StreamId)).Count.ShouldBe(2, "the tenant's chain records both keys");
        var auditor = app.Auditor(tenant);
        var verify = await AuditorApiTests.Json(auditor, "/api/ledger/verify?to=" + next.Checkpoint.ChainSeq);
        while (verify.GetProperty("status").GetString() == "in_progress")
            verify = await AuditorApiTests.Json(auditor, "/api/ledger/verify?cursor=" + verify.GetProperty("next_cursor").GetString());
        verify.GetProperty("status").GetString().ShouldBe("verified", verify.ToString());
        verify.GetProperty("checkpoints_verified").GetInt32().ShouldBe(2);
    }
}

/// <summary>A host that is not the signer serves exports signed with the rotated key too: it reads the shared key file again.</summary>
public sealed class CheckpointKeyRotationStandbyTests(StandbyDataDirectoryAuditorAppFixture app) : IClassFixture<StandbyDataDirectoryAuditorAppFixture>
{
    [Fact]
    public async Task After_rotate_key_a_standby_hosts_export_is_signed_with_the_new_key()
    {
        var tenant = await app.TenantWithCheckpointsAsync();
        (await app.Auditor(tenant).GetAsync("/api/ledger/export")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var rotate = await app.LedgerAsync("checkpoints", "rotate-key");
        rotate.ExitCode.ShouldBe(0, rotate.Stderr);
        var active = await app.Service<SigningKeyHistory>().ActiveKidAsync();

        using var download = await app.Auditor(tenant).GetAsync("/api/ledger/export");
        download.StatusCode.ShouldBe(HttpStatusCode.OK, await download.Content.ReadAsStringAsync());
        var archive = app.NewPath("export.zip");
        await File.WriteAllBytesAsync(archive, await download.Content.ReadAsByteArrayAsync());
        var verified = await app.LedgerAsync("verify-export", archive);
        verified.ExitCode.ShouldBe(0, verified.Stdout);
        verified.Stdout.ShouldContain($"manifest signed by key {active}");
    }
}

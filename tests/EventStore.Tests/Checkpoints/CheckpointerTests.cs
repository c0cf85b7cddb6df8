using Ledger.EventStore.Chain;
using Ledger.EventStore.Checkpoints;
using Ledger.TestSupport;
using Npgsql;

namespace Ledger.EventStore.Tests.Checkpoints;

public sealed class CheckpointerTests : IAsyncLifetime
{
    private AuditedLedger ledger = null!;

    public async Task InitializeAsync() => ledger = await AuditedLedger.CreateAsync();

    public async Task DisposeAsync() => await ledger.DisposeAsync();

    [Fact]
    public async Task A_tenant_is_due_after_N_unsigned_entries_or_once_its_oldest_unsigned_entry_is_T_old()
    {
        ledger.Policy = new CheckpointPolicy(EveryEntries: 5, Every: TimeSpan.FromMinutes(5));
        var (busy, quiet) = (TestDatabase.NewTenant("busy"), TestDatabase.NewTenant("quiet"));
        await ledger.AppendAsync(busy, 5);
        await ledger.AppendAsync(quiet, 2);
        var checkpointer = ledger.Checkpointer();

        var due = await checkpointer.DueTenantsAsync(100);
        due.ShouldContain(busy);
        due.ShouldNotContain(quiet);

        ledger.Clock.Advance(TimeSpan.FromMinutes(6));
        (await checkpointer.DueTenantsAsync(100)).ShouldContain(quiet);

        var outcomes = await checkpointer.RunOnceAsync();
        outcomes.Where(o => o.TenantId == busy || o.TenantId == quiet).Select(o => o.Result).ShouldAllBe(r => r == CheckpointResult.Signed);
        var afterwards = await checkpointer.DueTenantsAsync(100);
        afterwards.ShouldNotContain(busy);
        afterwards.ShouldNotContain(quiet);
        (await checkpointer.CheckpointAsync(busy)).Result.ShouldBe(CheckpointResult.UpToDate);
    }

    [Fact]
    public async Task The_first_checkpoint_under_a_key_announces_the_key_in_the_tenants_chain_and_covers_it()
    {
        var tenant = TestDatabase.NewTenant();
        await ledger.AppendAsync(tenant, 3);

        var first = await ledger.CheckpointAsync(tenant);
        await ledger.AppendAsync(tenant, 2);
        var second = await ledger.CheckpointAsync(tenant);

        var announced = await ledger.Db.Store.ReadStreamAsync(tenant, SigningKeyRotation.StreamId);
        var entry = announced.ShouldHaveSingleItem();
        (entry.EventType, entry.ChainSeq, entry.Metadata.Actor).ShouldBe((SigningKeyRotation.EventType, 4L, SigningKeyRotation.Actor));
        entry.Data.GetProperty("kid").GetString().ShouldBe(ledger.Key.Kid);
        entry.Data.GetProperty("public_key").GetProperty("x").GetString().ShouldBe(ledger.Key.X);
        entry.Data.TryGetProperty("previous_kid", out _).ShouldBeFalse();

        (first.Checkpoint.ChainSeq, second.Checkpoint.ChainSeq).ShouldBe((4L, 6L));
        first.Checkpoint.ChainHash.ShouldBe(await ledger.StoredChainHashAsync(tenant, 4));
        (await ledger.Checkpoints.LatestAsync(tenant))!.Jws.ShouldBe(second.Jws);
        (await ledger.Checkpoints.AtAsync(tenant, 4))!.Jws.ShouldBe(first.Jws);
    }

    [Fact]
    public async Task It_refuses_to_sign_a_chain_that_does_not_verify_since_its_last_checkpoint()
    {
        var tenant = TestDatabase.NewTenant();
        await ledger.AppendAsync(tenant, 3);
        await ledger.CheckpointAsync(tenant);
        await ledger.AppendAsync(tenant, 3);
        await ledger.TamperAsync("UPDATE events SET data = '{\"value\":\"forged\"}' WHERE tenant_id = $1 AND chain_seq = 6", tenant);

        var outcome = await ledger.Checkpointer().CheckpointAsync(tenant);

        outcome.Result.ShouldBe(CheckpointResult.ChainBroken);
        (outcome.Failure!.Position, outcome.Failure.Reason).ShouldBe((6L, ChainFailureReason.HashMismatch));
        (await ledger.Checkpoints.LatestAsync(tenant))!.Checkpoint.ChainSeq.ShouldBe(4);
    }

    [Fact]
    public async Task After_a_rotation_old_checkpoints_still_verify_the_rotation_is_a_ledger_entry_and_the_old_key_stops_signing()
    {
        var tenant = TestDatabase.NewTenant();
        await ledger.AppendAsync(tenant, 3);
        var oldKey = ledger.Key;
        var before = await ledger.CheckpointAsync(tenant);

        var newKey = await ledger.RotateAsync();
        await ledger.AppendAsync(tenant, 2);
        var after = await ledger.CheckpointAsync(tenant);

        (before.Kid, after.Kid).ShouldBe((oldKey.Kid, newKey.Kid));
        var rotations = await ledger.Db.Store.ReadStreamAsync(tenant, SigningKeyRotation.StreamId);
        rotations.Count.ShouldBe(2);
        rotations[1].Data.GetProperty("kid").GetString().ShouldBe(newKey.Kid);
        rotations[1].Data.GetProperty("previous_kid").GetString().ShouldBe(oldKey.Kid);

        var keys = await ledger.History.ReadAsync();
        var (retired, active) = (keys.Find(oldKey.Kid)!, keys.Find(newKey.Kid)!);
        (retired.Retired, active.Retired, active.ValidUntil).ShouldBe((true, false, (DateTimeOffset?)null));
        retired.ValidUntil.ShouldBe(active.ValidFrom);

        var (result, _) = await ledger.VerifyAllAsync(tenant);
        result.Status.ShouldBe(VerificationStatus.Verified, result.Failure?.Detail);
        (result.VerifiedThrough, result.CheckpointsReached).ShouldBe((7L, 2));

        (await ledger.Checkpointer(oldKey).CheckpointAsync(tenant)).Result.ShouldBe(CheckpointResult.KeyNotActive);
        (await ledger.History.RegisterAsync(oldKey, ledger.Clock.GetUtcNow())).Outcome.ShouldBe(KeyRegistration.Superseded);
        (await ledger.History.RegisterAsync(newKey, ledger.Clock.GetUtcNow())).Outcome.ShouldBe(KeyRegistration.Active);
    }

    [Fact]
    public async Task Registering_another_key_never_supersedes_the_active_one_only_an_explicit_rotation_does()
    {
        var active = ledger.Key.Kid;
        using var stranger = CheckpointKey.Generate();

        (await ledger.History.RegisterAsync(stranger, ledger.Clock.GetUtcNow())).ShouldBe((KeyRegistration.NotActive, active));
        (await ledger.History.ActiveKidAsync()).ShouldBe(active);
        (await ledger.History.ReadAsync()).Keys.Count.ShouldBe(1, "the stranger's key is not in the history");
        (await ledger.Checkpointer(stranger).CheckpointAsync(TestDatabase.NewTenant())).Result.ShouldBe(CheckpointResult.KeyNotActive);

        ledger.Clock.Advance(TimeSpan.FromSeconds(1));
        (await ledger.History.RotateAsync(stranger, ledger.Clock.GetUtcNow())).ShouldBe((KeyRegistration.Rotated, active));
        (await ledger.History.ActiveKidAsync()).ShouldBe(stranger.Kid);
        (await ledger.History.RotateAsync(ledger.Key, ledger.Clock.GetUtcNow())).Outcome.ShouldBe(KeyRegistration.Superseded, "a retired key never comes back");
    }

    [Theory]
    [InlineData("UPDATE checkpoints SET chain_seq = chain_seq + 1")]
    [InlineData("DELETE FROM checkpoints")]
    [InlineData("TRUNCATE checkpoints")]
    [InlineData("UPDATE signing_keys SET valid_from = now()")]
    [InlineData("DELETE FROM signing_keys")]
    public async Task Checkpoints_and_keys_are_append_only_for_the_app_role_and_even_for_the_owner(string sql)
    {
        var tenant = TestDatabase.NewTenant();
        await ledger.AppendAsync(tenant, 2);
        await ledger.CheckpointAsync(tenant);

        (await Should.ThrowAsync<PostgresException>(() => Execute(ledger.Db.AppDataSource, sql))).SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
        (await Should.ThrowAsync<PostgresException>(() => Execute(ledger.Db.AdminDataSource, sql))).SqlState.ShouldBe("LE403");
        (await ledger.Checkpoints.LatestAsync(tenant)).ShouldNotBeNull();
    }

    private static async Task Execute(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}

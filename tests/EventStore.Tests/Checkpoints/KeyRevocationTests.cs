using System.Text;
using Ledger.EventStore.Chain;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Export;
using Ledger.EventStore.Tests.Export;
using Npgsql;

namespace Ledger.EventStore.Tests.Checkpoints;

/// <summary>
/// Key revocation (docs/ledger-format.md §7): a key revoked from a time vouches for nothing it signed from then on — in
/// the auditor API's walk, in the offline verifier and in tools/verify-export.py — while what it signed before still
/// verifies. The revocation is in the key set (<c>revoked_at</c>) and in every tenant's chain; a revoked active key
/// signs nothing until a rotation. The tenant has checkpoints at 5 and 10.
/// </summary>
public sealed class KeyRevocationTests : IAsyncLifetime
{
    private AuditedLedger ledger = null!;
    private string tenant = null!;

    public async Task InitializeAsync()
    {
        ledger = await AuditedLedger.CreateAsync();
        tenant = await ledger.TenantWithCheckpointsAsync();
    }

    public async Task DisposeAsync() => await ledger.DisposeAsync();

    [Fact]
    public async Task A_key_revoked_from_a_past_time_fails_what_it_signed_since_in_every_verifier_and_nothing_before()
    {
        var five = (await ledger.Checkpoints.AtAsync(tenant, 5))!.Checkpoint.IssuedAt;
        var ten = (await ledger.Checkpoints.AtAsync(tenant, 10))!.Checkpoint.IssuedAt;
        var leaked = five + (ten - five) / 2;
        var revokedKid = ledger.Key.Kid;
        (await ledger.History.RevokeAsync(revokedKid, leaked, "key file found on a shared drive")).Outcome.ShouldBe(KeyRevocation.Revoked);

        var keys = await ledger.History.ReadAsync();
        keys.Find(revokedKid)!.RevokedAt.ShouldBe(LedgerRecord.TruncateToMicroseconds(leaked));
        Encoding.UTF8.GetString(keys.ToJson()).ShouldContain($"\"revoked_at\":\"{LedgerRecord.FormatTimestamp(leaked)}\"");

        var (online, _) = await ledger.VerifyAllAsync(tenant);
        (online.Failure!.Position, online.Failure.Reason).ShouldBe((10L, ChainFailureReason.BadSignature), online.Failure.Detail);
        online.Failure.Detail.ShouldContain("revoked");
        (await ledger.VerifyAllAsync(tenant, to: 9)).Last.Status.ShouldBe(VerificationStatus.Verified, "the checkpoint at 5 was signed before");

        await ledger.RotateAsync(); // an export needs a key that may sign
        var export = await ledger.ExportAsync(tenant, to: 10);
        var offline = ExportVerifier.Verify(export);
        (offline.ChainFailure!.Position, offline.ChainFailure.Reason).ShouldBe((10L, ChainFailureReason.BadSignature), string.Join("\n", offline.Failures));
        offline.Failures.ShouldHaveSingleItem();
        if (await PythonVerifier.RunAsync(export) is { } python)
            python.Failures.ShouldBe([new PythonFailure("bad_signature", 10, null)], python.Output);
    }

    [Fact]
    public async Task A_revoked_active_key_signs_nothing_until_a_rotation_and_every_chain_records_the_revocation()
    {
        await ledger.AppendAsync(tenant, 2);
        var revoked = ledger.Key;
        ledger.Clock.Advance(TimeSpan.FromSeconds(1));
        (await ledger.History.RevokeAsync(revoked.Kid, ledger.Clock.GetUtcNow(), "routine: key holder left")).Outcome.ShouldBe(KeyRevocation.Revoked);

        (await ledger.History.ActiveKidAsync()).ShouldBeNull();
        (await ledger.Checkpointer().CheckpointAsync(tenant)).Result.ShouldBe(CheckpointResult.KeyNotActive);
        (await Should.ThrowAsync<ExportRefusedException>(() => ledger.ExportAsync(tenant))).Reason.ShouldBe(ExportRefusal.KeyNotActive);

        await ledger.RotateAsync();
        var signed = await ledger.CheckpointAsync(tenant);
        signed.Kid.ShouldNotBe(revoked.Kid);
        var stream = await ledger.Db.Store.ReadStreamAsync(tenant, SigningKeyRotation.StreamId);
        stream.Select(e => e.EventType).ShouldBe([SigningKeyRotation.EventType, SigningKeyRotation.RevokedEventType, SigningKeyRotation.EventType]);
        stream[1].Data.GetProperty("kid").GetString().ShouldBe(revoked.Kid);
        stream[1].Data.GetProperty("reason").GetString().ShouldBe("routine: key holder left");

        var (whole, _) = await ledger.VerifyAllAsync(tenant);
        whole.Status.ShouldBe(VerificationStatus.Verified, whole.Failure?.Detail);
        (whole.VerifiedThrough, whole.CheckpointsReached).ShouldBe((signed.Checkpoint.ChainSeq, 3));
    }

    [Fact]
    public async Task A_revocation_is_final_unknown_keys_are_refused_and_the_table_is_append_only()
    {
        var at = ledger.Clock.GetUtcNow();
        (await ledger.History.RevokeAsync("no-such-key", at, "x")).Outcome.ShouldBe(KeyRevocation.UnknownKey);
        (await ledger.History.RevokeAsync(ledger.Key.Kid, at, "first")).ShouldBe((KeyRevocation.Revoked, LedgerRecord.TruncateToMicroseconds(at)));
        (await ledger.History.RevokeAsync(ledger.Key.Kid, at.AddDays(-1), "moved earlier"))
            .ShouldBe((KeyRevocation.AlreadyRevoked, LedgerRecord.TruncateToMicroseconds(at)));

        await using var command = ledger.Db.AppDataSource.CreateCommand("UPDATE signing_key_revocations SET revoked_at = revoked_at - interval '1 day'");
        await Should.ThrowAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
    }
}

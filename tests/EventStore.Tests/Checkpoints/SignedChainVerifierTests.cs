using Ledger.EventStore.Chain;
using Ledger.EventStore.Checkpoints;
using Ledger.TestSupport;

namespace Ledger.EventStore.Tests.Checkpoints;

public sealed class SignedChainVerifierTests : IAsyncLifetime
{
    private AuditedLedger ledger = null!;

    public async Task InitializeAsync() => ledger = await AuditedLedger.CreateAsync();

    public async Task DisposeAsync() => await ledger.DisposeAsync();

    [Fact]
    public async Task A_long_chain_verifies_page_by_page_through_cursors_as_one_walk()
    {
        var tenant = TestDatabase.NewTenant();
        for (var round = 0; round < 4; round++)
        {
            await ledger.AppendAsync(tenant, 12);
            await ledger.CheckpointAsync(tenant);
        }
        await ledger.AppendAsync(tenant, 3); // an unsigned tail after the last checkpoint

        var (last, pages) = await ledger.VerifyAllAsync(tenant, perPage: 5);

        last.Status.ShouldBe(VerificationStatus.Verified, last.Failure?.Detail);
        (last.From, last.To, last.VerifiedThrough, last.EntriesChecked).ShouldBe((1L, 52L, 52L, 52L));
        last.CheckpointsReached.ShouldBe(4);
        pages.ShouldBe(11);
        last.LastChainHash.ShouldBe(await ledger.StoredChainHashAsync(tenant, 52));
    }

    [Fact]
    public async Task A_failure_on_a_later_page_is_reported_at_its_exact_position_and_a_range_can_be_verified_alone()
    {
        var tenant = TestDatabase.NewTenant();
        await ledger.AppendAsync(tenant, 30);
        await ledger.CheckpointAsync(tenant);
        await ledger.TamperAsync("UPDATE events SET metadata = metadata || '{\"actor\":\"mallory\"}' WHERE tenant_id = $1 AND chain_seq = 23", tenant);

        var (failed, pages) = await ledger.VerifyAllAsync(tenant, perPage: 4);
        failed.Status.ShouldBe(VerificationStatus.Failed);
        (failed.Failure!.Position, failed.Failure.Reason, failed.VerifiedThrough).ShouldBe((23L, ChainFailureReason.HashMismatch, 22L));
        pages.ShouldBe(6);

        var (range, _) = await ledger.VerifyAllAsync(tenant, from: 5, to: 20, perPage: 4);
        (range.Status, range.VerifiedThrough, range.EntriesChecked).ShouldBe((VerificationStatus.Verified, 20L, 16L));
    }

    [Fact]
    public void Cursors_round_trip_and_garbage_is_refused()
    {
        var cursor = new VerificationCursor(1, 100, 41, Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), 40, 3);
        var decoded = VerificationCursor.Decode(cursor.Encode());
        (decoded.From, decoded.To, decoded.Next, decoded.EntriesChecked, decoded.CheckpointsReached).ShouldBe((1L, 100L, 41L, 40L, 3));
        decoded.Previous.ShouldBe(cursor.Previous);
        Should.Throw<FormatException>(() => VerificationCursor.Decode("garbage!"));
        Should.Throw<FormatException>(() => VerificationCursor.Decode(new VerificationCursor(10, 5, 41, new byte[32], 0, 0).Encode()));
    }

    [Fact]
    public async Task An_empty_chain_verifies_with_nothing_to_check()
    {
        var (step, pages) = await ledger.VerifyAllAsync(TestDatabase.NewTenant());
        (step.Status, step.VerifiedThrough, pages).ShouldBe((VerificationStatus.Verified, 0L, 1));
    }
}

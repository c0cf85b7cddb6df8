using Ledger.EventStore;
using Ledger.EventStore.Chain;
using Ledger.TestSupport;
using Npgsql;
using static Ledger.TestSupport.TestEvents;

namespace Ledger.EventStore.Tests.Chain;

/// <summary>
/// A superuser can switch the append-only trigger off (here: session_replication_role = replica) and
/// tamper with rows. The verifier must then name the exact chain position and the reason.
/// </summary>
public sealed class TamperDetectionTests : IAsyncLifetime
{
    private const int Entries = 10;
    private TestDatabase db = null!;
    private ChainVerifier verifier = null!;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync();
        verifier = new ChainVerifier(db.AppDataSource, pageSize: 3);
    }

    public async Task DisposeAsync() => await db.DisposeAsync();

    [Fact]
    public async Task An_untouched_chain_verifies_whole_and_in_ranges()
    {
        var tenant = await TenantWithEntries();

        var whole = await verifier.VerifyAsync(tenant);
        whole.Succeeded.ShouldBeTrue(whole.Failure?.Detail);
        whole.VerifiedThrough.ShouldBe(Entries);
        whole.EntriesChecked.ShouldBe(Entries);
        whole.LastChainHash.ShouldBe(await HeadHash(tenant));

        var range = await verifier.VerifyAsync(tenant, fromSeq: 4, toSeq: 8);
        range.Succeeded.ShouldBeTrue();
        range.EntriesChecked.ShouldBe(5);
        range.VerifiedThrough.ShouldBe(8);
    }

    [Fact]
    public async Task Edited_event_data_is_a_hash_mismatch_at_that_position()
    {
        var tenant = await TenantWithEntries();
        await Tamper($"UPDATE events SET data = jsonb_set(data, '{{value}}', '\"forged\"') WHERE tenant_id = '{tenant}' AND chain_seq = 4");

        var result = await verifier.VerifyAsync(tenant);

        result.Failure.ShouldNotBeNull();
        result.Failure.Position.ShouldBe(4);
        result.Failure.Reason.ShouldBe(ChainFailureReason.HashMismatch);
        result.VerifiedThrough.ShouldBe(3);
    }

    [Fact]
    public async Task Edited_metadata_or_time_is_a_hash_mismatch_too()
    {
        var tenant = await TenantWithEntries();
        await Tamper($"UPDATE events SET occurred_at = occurred_at + interval '1 microsecond' WHERE tenant_id = '{tenant}' AND chain_seq = 7");
        (await verifier.VerifyAsync(tenant)).Failure.ShouldBe(new ChainFailure(7, ChainFailureReason.HashMismatch, (await verifier.VerifyAsync(tenant)).Failure!.Detail));

        var other = await TenantWithEntries();
        await Tamper($"UPDATE events SET metadata = metadata || '{{\"actor\": \"someone-else\"}}' WHERE tenant_id = '{other}' AND chain_seq = 2");
        var result = await verifier.VerifyAsync(other);
        (result.Failure!.Position, result.Failure.Reason).ShouldBe((2L, ChainFailureReason.HashMismatch));
    }

    [Fact]
    public async Task An_edit_with_a_recomputed_entry_hash_breaks_the_link()
    {
        var tenant = await TenantWithEntries();
        // The forger rewrites the data and its entry hash, but cannot relink without rewriting every later entry.
        await Tamper($"UPDATE events SET entry_hash = sha256('forged') WHERE tenant_id = '{tenant}' AND chain_seq = 5");

        var result = await verifier.VerifyAsync(tenant);

        (result.Failure!.Position, result.Failure.Reason).ShouldBe((5L, ChainFailureReason.HashMismatch));
    }

    [Fact]
    public async Task A_deleted_event_is_a_gap_at_its_position()
    {
        var tenant = await TenantWithEntries();
        await Tamper($"DELETE FROM events WHERE tenant_id = '{tenant}' AND chain_seq = 6");

        var result = await verifier.VerifyAsync(tenant);

        (result.Failure!.Position, result.Failure.Reason).ShouldBe((6L, ChainFailureReason.Gap));
        result.VerifiedThrough.ShouldBe(5);
    }

    [Fact]
    public async Task Two_swapped_events_are_a_broken_link_at_the_first_of_them()
    {
        var tenant = await TenantWithEntries();
        await Tamper($"""
            UPDATE events SET chain_seq = 1000 WHERE tenant_id = '{tenant}' AND chain_seq = 3;
            UPDATE events SET chain_seq = 3 WHERE tenant_id = '{tenant}' AND chain_seq = 8;
            UPDATE events SET chain_seq = 8 WHERE tenant_id = '{tenant}' AND chain_seq = 1000;
            """);

        var result = await verifier.VerifyAsync(tenant);

        (result.Failure!.Position, result.Failure.Reason).ShouldBe((3L, ChainFailureReason.BrokenLink));
        result.VerifiedThrough.ShouldBe(2);
    }

    [Fact]
    public async Task Deleted_last_events_are_a_missing_tail_against_the_chain_head()
    {
        var tenant = await TenantWithEntries();
        await Tamper($"DELETE FROM events WHERE tenant_id = '{tenant}' AND chain_seq >= 9");

        var result = await verifier.VerifyAsync(tenant);

        (result.Failure!.Position, result.Failure.Reason).ShouldBe((9L, ChainFailureReason.MissingTail));
        result.VerifiedThrough.ShouldBe(8);
    }

    [Fact]
    public async Task Tampering_in_one_tenant_leaves_the_other_tenants_chains_verifiable()
    {
        var (tampered, clean) = (await TenantWithEntries(), await TenantWithEntries());
        await Tamper($"DELETE FROM events WHERE tenant_id = '{tampered}' AND chain_seq = 2");

        (await verifier.VerifyAsync(tampered)).Succeeded.ShouldBeFalse();
        (await verifier.VerifyAsync(clean)).Succeeded.ShouldBeTrue();
    }

    /// <summary>
    /// The verifier reads pages of 3 here (1-3, 4-6, 7-9, 10) and reads each next page while it hashes the current one:
    /// a fault on either side of a page boundary, or a whole page gone, is still found at its exact position.
    /// </summary>
    [Theory]
    [InlineData("UPDATE events SET data = jsonb_set(data, '{value}', '\"forged\"') WHERE {0} AND chain_seq = 3", 3, ChainFailureReason.HashMismatch)]
    [InlineData("UPDATE events SET data = jsonb_set(data, '{value}', '\"forged\"') WHERE {0} AND chain_seq = 4", 4, ChainFailureReason.HashMismatch)]
    [InlineData("UPDATE events SET entry_hash = sha256('forged') WHERE {0} AND chain_seq = 6", 6, ChainFailureReason.HashMismatch)]
    [InlineData("UPDATE events SET chain_hash = sha256('forged') WHERE {0} AND chain_seq = 3", 3, ChainFailureReason.BrokenLink)]
    [InlineData("UPDATE events SET chain_hash = sha256('forged') WHERE {0} AND chain_seq = 4", 4, ChainFailureReason.BrokenLink)]
    [InlineData("DELETE FROM events WHERE {0} AND chain_seq = 4", 4, ChainFailureReason.Gap)]
    [InlineData("DELETE FROM events WHERE {0} AND chain_seq = 3", 3, ChainFailureReason.Gap)]
    [InlineData("DELETE FROM events WHERE {0} AND chain_seq BETWEEN 4 AND 6", 4, ChainFailureReason.Gap)]
    [InlineData("DELETE FROM events WHERE {0} AND chain_seq >= 7", 7, ChainFailureReason.MissingTail)]
    [InlineData("DELETE FROM events WHERE {0} AND chain_seq = 10", 10, ChainFailureReason.MissingTail)]
    [InlineData("UPDATE events SET chain_seq = 1000 WHERE {0} AND chain_seq = 3; UPDATE events SET chain_seq = 3 WHERE {0} AND chain_seq = 4; UPDATE events SET chain_seq = 4 WHERE {0} AND chain_seq = 1000", 3, ChainFailureReason.BrokenLink)]
    [InlineData("UPDATE events SET chain_seq = 1000 WHERE {0} AND chain_seq = 6; UPDATE events SET chain_seq = 6 WHERE {0} AND chain_seq = 7; UPDATE events SET chain_seq = 7 WHERE {0} AND chain_seq = 1000", 6, ChainFailureReason.BrokenLink)]
    public async Task A_fault_at_a_page_boundary_is_found_at_its_exact_position(string tamper, long position, ChainFailureReason reason)
    {
        var tenant = await TenantWithEntries();
        await Tamper(tamper.Replace("{0}", $"tenant_id = '{tenant}'", StringComparison.Ordinal));

        var result = await verifier.VerifyAsync(tenant);

        (result.Failure!.Position, result.Failure.Reason).ShouldBe((position, reason), result.Failure.Detail);
        result.VerifiedThrough.ShouldBe(position - 1);
        result.EntriesChecked.ShouldBe(position - 1);
    }

    private async Task<string> TenantWithEntries()
    {
        var tenant = TestDatabase.NewTenant("chain");
        for (var i = 0; i < Entries; i += 2)
            await db.Store.AppendAsync(tenant, [To($"s-{i % 3}", ExpectedVersion.Any, Event(), Event())]);
        return tenant;
    }

    private Task Tamper(string sql) => db.TamperAsync(sql);

    private async Task<byte[]> HeadHash(string tenant)
    {
        await using var command = db.AdminDataSource.CreateCommand($"SELECT chain_hash FROM ledger_chain_heads WHERE tenant_id = '{tenant}'");
        return (byte[])(await command.ExecuteScalarAsync())!;
    }
}

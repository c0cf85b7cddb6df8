using System.Security.Cryptography;
using Ledger.EventStore.Privacy;
using Ledger.TestSupport;
using Npgsql;

namespace Ledger.EventStore.Tests.Privacy;

/// <summary>The <c>subject_keys</c> table against the real PostgreSQL: one live key per subject, erasure, re-wrapping, and its rights.</summary>
public sealed class SubjectKeysTests : IAsyncLifetime
{
    private TestDatabase db = null!;
    private readonly byte[] master = RandomNumberGenerator.GetBytes(32);

    public async Task InitializeAsync() => db = await TestDatabase.CreateAsync(sealing: false);

    public async Task DisposeAsync() => await db.DisposeAsync();

    private SubjectKeys Keys(byte[]? current = null, params byte[][] retired) => new(new MasterKeyRing(current ?? master, retired));

    private async Task<SubjectKey> SealingKeyAsync(SubjectKeys keys, string subject)
    {
        await using var connection = await db.AppDataSource.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var key = await keys.ForSealingAsync(connection, "acme", subject, default);
        await tx.CommitAsync();
        return key;
    }

    [Fact]
    public async Task Racing_first_orders_of_one_person_get_one_key_between_them()
    {
        var keys = Keys();
        var got = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(() => SealingKeyAsync(keys, "cust-race"))));
        got.Select(k => Convert.ToHexString(k.Key)).Distinct().Count().ShouldBe(1);
        got.ShouldAllBe(k => k.Generation == 1);
        (await keys.ReadAsync(db.AppDataSource, "acme", ["cust-race"], default)).Single().Key!.Key.ShouldBe(got[0].Key);
    }

    private async Task<SubjectKey> SealInCommitAsync(SubjectKeys keys, string subject)
    {
        await using var session = db.Documents.LightweightSession("acme");
        var key = keys.ForSealingInCommit(session, "acme", subject).ShouldNotBeNull("held lately, or new");
        await session.SaveChangesAsync();
        return key;
    }

    [Fact]
    public async Task Sealing_in_the_commit_stores_a_new_subjects_key_there_and_checks_a_held_one_there()
    {
        var keys = Keys();
        var first = await SealInCommitAsync(keys, "new-one");
        first.Generation.ShouldBe(1);
        (await keys.ReadAsync(db.AppDataSource, "acme", ["new-one"], default)).Single().Key!.Key.ShouldBe(first.Key);
        (await SealInCommitAsync(keys, "new-one")).Key.ShouldBe(first.Key, "held, and checked in the commit");
    }

    [Fact]
    public async Task A_key_held_longer_than_trusted_is_read_from_the_table_again_not_guessed()
    {
        var keys = new SubjectKeys(new MasterKeyRing(master), heldFor: TimeSpan.FromMilliseconds(-1)); // no key is held long enough
        var first = await SealInCommitAsync(keys, "old-friend");
        await using var session = db.Documents.LightweightSession("acme");
        keys.ForSealingInCommit(session, "acme", "old-friend").ShouldBeNull("held too long: the subject is known to exist, so no new key is guessed");
        (await SealingKeyAsync(keys, "old-friend")).Key.ShouldBe(first.Key);
    }

    [Fact]
    public async Task A_commit_sealing_under_a_key_that_is_not_the_subjects_live_one_fails_as_stale()
    {
        var here = Keys();
        var elsewhere = Keys(); // another process: the same master key, nothing held
        await SealInCommitAsync(here, "cust-1");

        // Another process takes an existing customer for new: its generation 1 is refused by the primary key, and
        // reading the table then gives it the customer's key.
        var owned = await SealInCommitAsync(here, "cust-2");
        SubjectKeys.IsStale(await Should.ThrowAsync<Exception>(() => SealInCommitAsync(elsewhere, "cust-2"))).ShouldBeTrue();
        (await SealingKeyAsync(elsewhere, "cust-2")).Key.ShouldBe(owned.Key);
        (await SealInCommitAsync(elsewhere, "cust-2")).Key.ShouldBe(owned.Key);

        // Erased by another process: the held key no longer passes the commit's check, and reading the table gives generation 2.
        await using (var eraser = await db.AppDataSource.OpenConnectionAsync())
            await SubjectKeys.EraseAsync(eraser, "acme", "cust-1", DateTimeOffset.UtcNow, default);
        SubjectKeys.IsStale(await Should.ThrowAsync<Exception>(() => SealInCommitAsync(here, "cust-1"))).ShouldBeTrue();
        (await SealingKeyAsync(here, "cust-1")).Generation.ShouldBe(2);
        (await SealInCommitAsync(here, "cust-1")).Generation.ShouldBe(2, "held again, and live");
    }

    [Fact]
    public async Task A_held_key_re_wrapped_elsewhere_fails_the_commit_and_is_read_again()
    {
        var keys = Keys();
        var held = await SealInCommitAsync(keys, "ada");
        var next = RandomNumberGenerator.GetBytes(32);
        (await Keys(next, master).RewrapAsync(db.AppDataSource, 10, default)).ShouldBe(1);
        SubjectKeys.IsStale(await Should.ThrowAsync<Exception>(() => SealInCommitAsync(keys, "ada"))).ShouldBeTrue();
        var rotated = Keys(next, master);
        (await SealingKeyAsync(rotated, "ada")).Key.ShouldBe(held.Key, "the same key, wrapped anew");
    }

    [Fact]
    public async Task An_erasure_waits_for_a_transaction_sealing_under_the_key_and_a_later_order_gets_a_new_generation()
    {
        var keys = Keys();
        var existing = await SealingKeyAsync(keys, "cust-1"); // a returning customer: the key is there
        await using var sealing = await db.AppDataSource.OpenConnectionAsync();
        await using var tx = await sealing.BeginTransactionAsync();
        var key = await keys.ForSealingAsync(sealing, "acme", "cust-1", default);
        key.Key.ShouldBe(existing.Key);

        await using var eraser = await db.AppDataSource.OpenConnectionAsync();
        var erasure = SubjectKeys.EraseAsync(eraser, "acme", "cust-1", DateTimeOffset.UtcNow, default);
        await Eventually.Until(async () =>
        {
            await using var waiting = db.AdminDataSource.CreateCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%FROM subject_keys%FOR UPDATE%'");
            return (long)(await waiting.ExecuteScalarAsync())!;
        }, n => n == 1, TimeSpan.FromSeconds(10), "the erasure to wait on the sealer's lock");
        erasure.IsCompleted.ShouldBeFalse("erasure waits for the transaction sealing under the key");
        await tx.CommitAsync();
        (await erasure).ShouldBe(key.Generation);

        var states = await keys.ReadAsync(db.AppDataSource, "acme", ["cust-1"], default);
        states.Single().Key.ShouldBeNull();
        states.Single().ErasedAt.ShouldNotBeNull();
        (await SubjectKeys.EraseAsync(eraser, "acme", "cust-1", DateTimeOffset.UtcNow, default)).ShouldBeNull("nothing left to erase");
        var fresh = await SealingKeyAsync(keys, "cust-1");
        fresh.Generation.ShouldBe(2);
        fresh.Key.ShouldNotBe(key.Key);
    }

    [Fact]
    public async Task An_erasure_waits_for_a_commit_checking_a_held_key_and_that_commit_seals_under_a_live_key()
    {
        var keys = Keys();
        var held = await SealInCommitAsync(keys, "held");
        // What the commit of an order sealed under a held key runs (SubjectKeys.ForSealingInCommit), in a transaction left open.
        await using var sealing = await db.AppDataSource.OpenConnectionAsync();
        await using var tx = await sealing.BeginTransactionAsync();
        await using (var check = new NpgsqlCommand("SELECT subject_key_in_use($1, $2, $3, $4, $5)", sealing, tx))
        {
            foreach (var value in new object[] { SubjectKeys.LockKey("acme", "held"), "acme", "held", held.Generation, Wrapped("held") })
                check.Parameters.Add(new() { Value = value });
            await check.ExecuteNonQueryAsync();
        }

        await using var eraser = await db.AppDataSource.OpenConnectionAsync();
        var erasure = SubjectKeys.EraseAsync(eraser, "acme", "held", DateTimeOffset.UtcNow, default);
        await Eventually.Until(async () =>
        {
            await using var waiting = db.AdminDataSource.CreateCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'advisory' AND query LIKE '%pg_advisory_xact_lock%'");
            return (long)(await waiting.ExecuteScalarAsync())!;
        }, n => n == 1, TimeSpan.FromSeconds(10), "the erasure to wait on the sealer's advisory lock");
        erasure.IsCompleted.ShouldBeFalse();
        await tx.CommitAsync();
        (await erasure).ShouldBe(held.Generation);
    }

    private byte[] Wrapped(string subject)
    {
        using var command = db.AppDataSource.CreateCommand("SELECT wrapped_key FROM subject_keys WHERE tenant_id = 'acme' AND subject_id = $1");
        command.Parameters.Add(new() { Value = subject });
        return (byte[])command.ExecuteScalar()!;
    }

    [Fact]
    public async Task Rewrapping_moves_every_live_key_to_the_current_master_key_without_changing_it()
    {
        var before = Keys();
        var ada = await SealingKeyAsync(before, "ada");
        var bob = await SealingKeyAsync(before, "bob");
        await using (var eraser = await db.AppDataSource.OpenConnectionAsync())
            await SubjectKeys.EraseAsync(eraser, "acme", "bob", DateTimeOffset.UtcNow, default);

        var next = RandomNumberGenerator.GetBytes(32);
        var rotating = Keys(next, master);
        (await rotating.RewrapAsync(db.AppDataSource, 1, default)).ShouldBe(1, "the erased key has nothing to re-wrap");
        (await rotating.RewrapAsync(db.AppDataSource, 1, default)).ShouldBe(0);
        var (live, erased) = await SubjectKeys.CountAsync(db.AppDataSource, default);
        live.ShouldBe(new Dictionary<string, long> { [MasterKeyRing.KidOf(next)] = 1 });
        erased.ShouldBe(1);
        // The old master key can go: the new one alone opens ada's key, which is the same key.
        (await Keys(next).ReadAsync(db.AppDataSource, "acme", ["ada"], default)).Single().Key!.Key.ShouldBe(ada.Key);
        bob.Generation.ShouldBe(1);
    }

    [Fact]
    public async Task A_key_wrapped_under_a_master_key_the_host_lacks_reads_as_unavailable_and_is_never_used_to_seal()
    {
        var ada = await SealingKeyAsync(Keys(), "ada");
        var record = new PersonalRecord("ada", ada.Generation, PersonalFields.Of(("name", ada.Seal("name", "Ada"))));
        var stranger = Keys(RandomNumberGenerator.GetBytes(32)); // a host whose configuration lost the master key

        var opened = (await new PersonalDataReader(stranger).OpenAsync(db.AppDataSource, "acme", [record], default)).Single();
        (opened.Status, opened["name"]).ShouldBe((OpenedPersonalData.Unavailable, null));
        (await new PersonalDataReader(Keys()).OpenAsync(db.AppDataSource, "acme", [record], default)).Single()["name"].ShouldBe("Ada");

        await using var connection = await db.AppDataSource.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await Should.ThrowAsync<MasterKeyMissingException>(() => stranger.ForSealingAsync(connection, "acme", "ada", default));
    }

    [Fact]
    public async Task A_record_sealed_in_clear_before_encryption_reads_as_it_is_and_one_whose_key_is_gone_reads_as_erased()
    {
        var clear = new PersonalRecord("old", null, PersonalFields.Of(("name", "Old Customer")));
        var orphan = new PersonalRecord("never-keyed", 1, PersonalFields.Of(("name", "c2VhbGVk")));
        var opened = await new PersonalDataReader(Keys()).OpenAsync(db.AppDataSource, "acme", [clear, orphan], default);
        (opened[0].Status, opened[0].Encrypted, opened[0]["name"]).ShouldBe((OpenedPersonalData.Available, false, "Old Customer"));
        (opened[1].Status, opened[1]["name"]).ShouldBe((OpenedPersonalData.Erased, null));
    }

    [Theory]
    [InlineData("DELETE FROM subject_keys")]
    [InlineData("TRUNCATE subject_keys")]
    [InlineData("UPDATE subject_keys SET erased_at = NULL, master_kid = 'x', wrapped_key = decode(repeat('00', 60), 'hex') WHERE erased_at IS NOT NULL")]
    [InlineData("UPDATE subject_keys SET subject_id = 'someone-else' WHERE erased_at IS NULL")]
    public async Task A_key_is_never_deleted_an_erased_key_never_comes_back_and_no_key_moves(string sql)
    {
        var keys = Keys();
        await SealingKeyAsync(keys, "live-one");
        await SealingKeyAsync(keys, "erased-one");
        await using (var eraser = await db.AppDataSource.OpenConnectionAsync())
            await SubjectKeys.EraseAsync(eraser, "acme", "erased-one", DateTimeOffset.UtcNow, default);
        // Refused to the application's role, and by the trigger to the owner as well.
        foreach (var source in new[] { db.AppDataSource, db.AdminDataSource })
        {
            await using var command = source.CreateCommand(sql);
            await Should.ThrowAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
        }
    }
}

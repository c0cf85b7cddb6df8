using Ledger.EventStore.Witnesses;
using Ledger.Messaging.Witnesses;
using Ledger.TestSupport;
using Microsoft.Extensions.Logging;

namespace Ledger.Messaging.Tests.Witnesses;

/// <summary>
/// Durable publication to witnesses, counted: checkpoints signed while a witness is down all reach it once it is back,
/// the other witness is not held up meanwhile, and a re-delivery (a crash between the witness accepting and the record)
/// is harmless. Against the real PostgreSQL, with real folders.
/// </summary>
public sealed class DirectoryWitnessTests : IAsyncLifetime
{
    private WitnessLedger ledger = null!;

    public async Task InitializeAsync() => ledger = await WitnessLedger.CreateAsync();

    public async Task DisposeAsync() => await ledger.DisposeAsync();

    [Fact]
    public async Task Every_checkpoint_signed_while_a_witness_was_down_reaches_it_once_back_and_the_other_witness_is_not_held_up()
    {
        var (acme, globex) = (TestDatabase.NewTenant("acme"), TestDatabase.NewTenant("globex"));
        var up = ledger.Publisher(ledger.Directory());
        // A regular file where the witness's folder should be: every write fails, as with an unmounted or read-only share.
        var downFolder = ledger.NewFolder();
        await File.WriteAllTextAsync(downFolder, "not a folder");
        var down = ledger.Publisher(ledger.Directory(downFolder), batchSize: 2);

        var signed = new List<Ledger.EventStore.Checkpoints.SignedCheckpoint>();
        for (var i = 0; i < 3; i++)
        {
            signed.Add(await ledger.SignAsync(acme));
            signed.Add(await ledger.SignAsync(globex));
            (await up.PublishPendingAsync(default)).ShouldBe(2);
            await Should.ThrowAsync<IOException>(() => down.PublishPendingAsync(default));
        }
        (await ledger.DeliveredCountAsync(up.Witness.Name)).ShouldBe(6);
        (await ledger.DeliveredCountAsync(down.Witness.Name)).ShouldBe(0);

        File.Delete(downFolder);
        (await down.PublishPendingAsync(default)).ShouldBe(6, "batches of 2 until none is left");
        (await ledger.DeliveredCountAsync(down.Witness.Name)).ShouldBe(6);
        (await down.PublishPendingAsync(default)).ShouldBe(0);

        var keys = await ledger.KeysAsync();
        foreach (var checkpoint in signed)
        {
            var c = checkpoint.Checkpoint;
            var folder = Path.Combine(downFolder, c.TenantId);
            (await File.ReadAllTextAsync(Path.Combine(folder, $"{c.ChainSeq}.jws"))).ShouldBe(checkpoint.Jws + "\n");
            var note = CheckpointNote.Verify(await File.ReadAllTextAsync(Path.Combine(folder, $"{c.ChainSeq}.note")), keys, WitnessLedger.KeyName, c.TenantId);
            note.Error.ShouldBeNull();
            note.Note!.Body.TreeSize.ShouldBe(c.ChainSeq);
            note.Note.Body.ChainHash.ShouldBe(c.ChainHash);
            c.TreeRoot.ShouldNotBeNull("the signer signs format 2");
            note.Note.Body.TreeRoot.ShouldBe(c.TreeRoot, "the note carries the root the JWS signs");
        }
        Directory.GetFiles(downFolder, "*", SearchOption.AllDirectories).Length.ShouldBe(12, "a .jws and a .note per checkpoint, no temporary files left");
    }

    [Fact]
    public async Task A_checkpoint_stored_before_a_crash_is_delivered_by_the_next_process_and_a_redelivery_is_harmless()
    {
        var tenant = TestDatabase.NewTenant("acme");
        // Signed and stored, and the process died before publishing anything.
        for (var i = 0; i < 4; i++) await ledger.SignAsync(tenant);
        var folder = ledger.NewFolder();

        var next = ledger.Publisher(ledger.Directory(folder));
        (await next.PublishPendingAsync(default)).ShouldBe(4);
        var written = Files(folder);
        written.Count.ShouldBe(8);

        // The witness accepted them, and the process died before it recorded so: they are handed over again.
        await ledger.ForgetDeliveriesAsync(next.Witness.Name);
        (await ledger.Publisher(ledger.Directory(folder)).PublishPendingAsync(default)).ShouldBe(4);
        Files(folder).ShouldBe(written, "the same note, made once, is handed over again");
        ledger.Logs.Lines.ShouldNotContain(l => l.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task A_different_checkpoint_at_a_position_the_witness_holds_is_refused_kept_and_logged_as_a_fork()
    {
        var tenant = TestDatabase.NewTenant("acme");
        var first = await ledger.SignAsync(tenant);
        var folder = ledger.NewFolder();
        var held = Path.Combine(folder, tenant, $"{first.Checkpoint.ChainSeq}.jws");
        Directory.CreateDirectory(Path.GetDirectoryName(held)!);
        await File.WriteAllTextAsync(held, "another.history.signed\n");

        var publisher = ledger.Publisher(ledger.Directory(folder));
        var fork = await Should.ThrowAsync<WitnessForkException>(() => publisher.PublishPendingAsync(default));
        fork.Message.ShouldContain($"tenant {tenant} at position {first.Checkpoint.ChainSeq}");
        (await File.ReadAllTextAsync(held)).ShouldBe("another.history.signed\n");
        ledger.Logs.Lines.ShouldContain(l => l.Level == LogLevel.Error && l.Message.Contains("Witness fork", StringComparison.Ordinal));
        (await ledger.DeliveredCountAsync(publisher.Witness.Name)).ShouldBe(0);
    }

    private static List<string> Files(string folder) =>
        [.. Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(f => f + " " + Convert.ToHexString(File.ReadAllBytes(f)))];
}

using Ledger.EventStore.Merkle;
using Ledger.EventStore.Witnesses;
using Ledger.Messaging.Witnesses;
using Ledger.TestSupport;

namespace Ledger.Messaging.Tests.Witnesses;

/// <summary>The C2SP tlog-witness client against a witness served on 127.0.0.1, with the real PostgreSQL behind the proofs.</summary>
public sealed class HttpWitnessTests : IAsyncLifetime
{
    private WitnessLedger ledger = null!;
    private TestTlogWitness server = null!;
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public async Task InitializeAsync()
    {
        ledger = await WitnessLedger.CreateAsync();
        var keys = await ledger.KeysAsync();
        server = TestTlogWitness.Start(() => keys, WitnessLedger.KeyName);
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await server.DisposeAsync();
        await ledger.DisposeAsync();
    }

    private WitnessPublisher Publisher() => ledger.Publisher(new HttpWitness(server.Url, http, ledger.Db.AppDataSource));

    [Fact]
    public async Task Checkpoints_signed_while_the_witness_fails_are_all_cosigned_once_it_is_back_each_proven_consistent_with_the_last()
    {
        var tenant = TestDatabase.NewTenant("acme");
        var publisher = Publisher();
        server.Failing = true;
        var signed = new List<Ledger.EventStore.Checkpoints.SignedCheckpoint>();
        for (var i = 0; i < 3; i++)
        {
            signed.Add(await ledger.SignAsync(tenant, entries: 3));
            (await Should.ThrowAsync<HttpRequestException>(() => publisher.PublishPendingAsync(default))).Message.ShouldContain("answered 503");
        }
        (await ledger.DeliveredCountAsync(publisher.Witness.Name)).ShouldBe(0);

        server.Failing = false;
        (await publisher.PublishPendingAsync(default)).ShouldBe(3);
        server.ProofsChecked.ShouldBe(2, "the first checkpoint starts the log at the witness; each later one comes with a consistency proof");
        var origin = CheckpointNote.Origin(WitnessLedger.KeyName, tenant);
        server.Holds(origin)!.Value.Size.ShouldBe(signed[^1].Checkpoint.ChainSeq);
        server.Holds(origin)!.Value.Root.ShouldBe(await new LedgerTreeReader(ledger.Db.AppDataSource).RootAsync(tenant, signed[^1].Checkpoint.ChainSeq));
        foreach (var checkpoint in signed)
        {
            var (delivered, receipt) = await ledger.Deliveries.DeliveryAsync(publisher.Witness.Name, tenant, checkpoint.Checkpoint.ChainSeq, default);
            delivered.ShouldBeTrue();
            receipt.ShouldStartWith("\u2014 test-witness ", Case.Sensitive, "the cosignature the witness returned is kept");
        }
    }

    [Fact]
    public async Task A_publisher_that_does_not_know_the_witness_s_size_learns_it_from_a_409_and_proves_from_there()
    {
        var tenant = TestDatabase.NewTenant("acme");
        await ledger.SignAsync(tenant, entries: 3);
        (await Publisher().PublishPendingAsync(default)).ShouldBe(1);

        // Another process (fresh memory) with a new checkpoint: it offers "old 0", hears the size, proves from it.
        var next = await ledger.SignAsync(tenant, entries: 4);
        (await Publisher().PublishPendingAsync(default)).ShouldBe(1);
        server.Conflicts.ShouldBe(1);
        server.ProofsChecked.ShouldBe(1);
        server.Holds(CheckpointNote.Origin(WitnessLedger.KeyName, tenant))!.Value.Size.ShouldBe(next.Checkpoint.ChainSeq);
    }

    [Fact]
    public async Task A_witness_holding_another_root_at_the_same_size_is_a_fork()
    {
        var tenant = TestDatabase.NewTenant("acme");
        var signed = await ledger.SignAsync(tenant, entries: 3);
        server.Hold(CheckpointNote.Origin(WitnessLedger.KeyName, tenant), signed.Checkpoint.ChainSeq, new byte[32]);

        var publisher = Publisher();
        (await Should.ThrowAsync<WitnessForkException>(() => publisher.PublishPendingAsync(default))).Message.ShouldContain("another tree root");
        (await ledger.DeliveredCountAsync(publisher.Witness.Name)).ShouldBe(0);
    }
}

using Ledger.EventStore.Witnesses;
using Ledger.Messaging.Contracts;
using Ledger.Messaging.Tests.Infrastructure;
using Ledger.Messaging.Witnesses;
using Ledger.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Wolverine.Runtime;

namespace Ledger.Messaging.Tests.Witnesses;

/// <summary>
/// <c>ledger.checkpoint.signed.v1</c> on the integration exchange, through the outbox's Wolverine route to the test
/// broker: what a bound system receives validates against its schema and carries the stored checkpoint; a re-delivery
/// carries the same message_id.
/// </summary>
public sealed class RabbitMqWitnessTests : IAsyncLifetime
{
    private MessagingHarness h = null!;
    private WitnessLedger ledger = null!;

    public async Task InitializeAsync()
    {
        h = await MessagingHarness.CreateAsync();
        ledger = await WitnessLedger.CreateAsync(h.Db);
    }

    public async Task DisposeAsync()
    {
        await ledger.DisposeAsync();
        await h.DisposeAsync();
    }

    [Fact]
    public async Task Every_checkpoint_is_published_as_a_valid_ledger_checkpoint_signed_v1_and_a_redelivery_shares_its_message_id()
    {
        await using var observer = await h.Broker.BindQueueAsync(WitnessedCheckpoint.MessageType);
        var publisher = await h.StartPublisherAsync();
        var witness = new RabbitMqWitness(publisher.Services.GetRequiredService<IWolverineRuntime>(), h.Broker.Settings);
        var tenant = TestDatabase.NewTenant("acme");
        var signed = new[] { await ledger.SignAsync(tenant), await ledger.SignAsync(tenant), await ledger.SignAsync(tenant) };

        (await ledger.Publisher(witness).PublishPendingAsync(default)).ShouldBe(3);
        var received = await Waits.ForMessages(observer, 3);

        var embedded = await ContractSchemas.EmbeddedAsync();
        var keys = await ledger.KeysAsync();
        foreach (var (message, checkpoint) in received.Zip(signed))
        {
            (await SchemaFiles.ValidateAsync(message.RoutingKey, message.Body)).ShouldBeEmpty(message.Body);
            embedded.Validate(message.RoutingKey, message.Body).ShouldBeEmpty();
            message.RoutingKey.ShouldBe("ledger.checkpoint.signed.v1");
            message.Type.ShouldBe("ledger.checkpoint.signed.v1");
            message.Header("tenant_id").ShouldBe(tenant);
            var body = message.Json;
            body.GetProperty("event_id").GetString().ShouldBe(message.MessageId);
            body.GetProperty("event_name").GetString().ShouldBe("ledger.checkpoint.signed");
            var payload = body.GetProperty("payload");
            payload.GetProperty("jws").GetString().ShouldBe(checkpoint.Jws);
            payload.GetProperty("chain_seq").GetInt64().ShouldBe(checkpoint.Checkpoint.ChainSeq);
            payload.GetProperty("tree_size").GetInt64().ShouldBe(checkpoint.Checkpoint.ChainSeq);
            payload.GetProperty("chain_hash").GetString().ShouldBe(Convert.ToHexStringLower(checkpoint.Checkpoint.ChainHash));
            var note = CheckpointNote.Verify(payload.GetProperty("note").GetString()!, keys, WitnessLedger.KeyName, tenant);
            note.Error.ShouldBeNull();
            Convert.ToHexStringLower(note.Note!.Body.TreeRoot).ShouldBe(payload.GetProperty("tree_root").GetString());
        }
        received.Select(m => m.MessageId).Distinct().Count().ShouldBe(3);

        await ledger.ForgetDeliveriesAsync(witness.Name);
        (await ledger.Publisher(witness).PublishPendingAsync(default)).ShouldBe(3);
        var again = await Waits.ForMessages(observer, 6);
        again.Skip(3).Select(m => m.MessageId).ShouldBe(received.Select(m => m.MessageId), "a re-delivery is the same message to a deduplicating consumer");
        again.Skip(3).Select(m => m.Body).ShouldBe(received.Select(m => m.Body));
    }

    [Fact]
    public async Task Checkpoints_signed_while_the_broker_is_unreachable_are_all_published_once_it_is_back()
    {
        await using var observer = await h.Broker.BindQueueAsync(WitnessedCheckpoint.MessageType);
        await using var proxy = new TcpProxy(h.Broker.Uri.Host, h.Broker.Uri.Port);
        var publisher = await h.StartPublisherAsync(h.Broker.Through(proxy));
        var witness = new RabbitMqWitness(publisher.Services.GetRequiredService<IWolverineRuntime>(), h.Broker.Settings);
        var tenant = TestDatabase.NewTenant("acme");
        var signed = new List<Ledger.EventStore.Checkpoints.SignedCheckpoint> { await ledger.SignAsync(tenant) };
        (await ledger.Publisher(witness).PublishPendingAsync(default)).ShouldBe(1);
        await Waits.ForMessages(observer, 1);

        proxy.Cut();
        for (var i = 0; i < 3; i++) signed.Add(await ledger.SignAsync(tenant));
        // The broker does not confirm: the delivery fails (it does not hang, nor pass as published), nothing is recorded.
        await Should.ThrowAsync<IOException>(() => ledger.Publisher(witness).PublishPendingAsync(default).WaitAsync(Waits.Timeout));
        (await ledger.DeliveredCountAsync(witness.Name)).ShouldBe(1);

        proxy.Restore();
        await Eventually.Until(async () =>
        {
            try
            {
                await ledger.Publisher(witness).PublishPendingAsync(default);
            }
            catch (Exception e) when (e is not ShouldAssertException)
            {
                // the connection is still coming back: the Host's loop would simply try again later
            }
            return await ledger.DeliveredCountAsync(witness.Name);
        }, n => n == 4, Waits.Timeout, "every checkpoint recorded as published");
        var ids = signed.Select(c => new WitnessedCheckpoint(c, c.Checkpoint.ChainSeq, c.Checkpoint.TreeRoot!, null).EventId).ToList();
        await Waits.ForDistinct(observer, ids);
        observer.Received.Select(m => m.MessageId).Distinct().Order().ShouldBe(ids.Select(id => id.ToString("D")).Order());
    }
}

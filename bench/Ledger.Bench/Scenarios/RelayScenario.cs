using System.Diagnostics;
using Ledger.Application.Integration;
using Ledger.Bench.Infrastructure;
using Ledger.Bench.Report;
using Ledger.EventStore;
using Ledger.Messaging;
using Ledger.Messaging.Broker;
using Ledger.Messaging.Contracts;
using Ledger.Messaging.Diagnostics;
using Ledger.Messaging.Relay;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;

namespace Ledger.Bench.Scenarios;

/// <summary>
/// Scenario 6: stored order events published by the relay (<see cref="OutboxRelay"/>: read after its checkpoint,
/// publish with confirms, move the checkpoint), from zero, against RabbitMQ.Client publishing the very same messages
/// (envelope bytes and properties built beforehand, no database) with confirms, in batches of the relay's size.
/// Both publish to a durable topic exchange of the bench's own with one durable queue bound to it, purged between rounds.
/// </summary>
public sealed class RelayScenario(BenchSettings settings, BenchDatabase database)
{
    private const int Tenants = 10;

    public async Task<ScenarioOutcome> RunAsync()
    {
        var n = settings.RelayEvents;
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var exchange = $"bench.events.{suffix}";
        var queue = $"bench.relay.{suffix}";
        Log.Line($"6. Relay: preloading {n:N0} order events; exchange {exchange}");
        await using var ledger = await database.CreateLedgerAsync("s6", 100, MessagingMigrations.Set);
        var store = ledger.Store;
        await OrderEvents.PreloadAsync(store, n, Tenants);
        // The relay reads sealed events only (ledger_events): the whole preload first.
        await ledger.SealedAsync();
        await BenchDatabase.AnalyzeAsync(ledger.Admin, "mt_events", "mt_streams", "ledger_chain", "ledger_chain_heads");
        var catalogue = new Catalogue();
        var messagingSettings = new MessagingSettings { Exchange = exchange };
        var batchSize = messagingSettings.Relay.BatchSize;

        // The baseline's messages, exactly as the relay builds them (untimed), and the last position to wait for.
        var messages = new List<OutgoingMessage>(n);
        var last = GlobalPosition.Start;
        for (var page = await store.ReadAllAsync(last, 5000); page.Count > 0; page = await store.ReadAllAsync(last, 5000))
        {
            foreach (var recorded in page)
                if (catalogue.Translate(recorded) is { } published)
                    messages.Add(OutgoingMessage.For(recorded, published, messagingSettings.Producer));
            last = page[^1].Position;
        }

        await using var admin = await Broker.ConnectAsync("ledger-bench-relay-admin");
        await using var channel = await admin.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, autoDelete: false);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync(queue, exchange, "#");
        var round = 0;
        var metrics = new MessagingMetrics();
        try
        {
            var ledgerSide = new Side("OutboxRelay", async warmUp =>
            {
                // A relay of a new name starts from zero (its checkpoint and its lease are per name).
                var relaySettings = new MessagingSettings { Exchange = exchange, Relay = { Name = $"bench-relay-{++round}" } };
                await using var broker = new BrokerConnection(Broker.Uri, relaySettings, NullLogger<BrokerConnection>.Instance);
                var relay = new OutboxRelay(store, ledger.App, ledger.Name, catalogue, broker, relaySettings, metrics, NullLogger<OutboxRelay>.Instance);
                using var stop = new CancellationTokenSource();
                await broker.GetAsync(stop.Token); // connected before the clock starts, as the baseline is
                var started = Stopwatch.GetTimestamp();
                var running = Task.Run(() => relay.RunAsync(stop.Token));
                while (relay.Status.Position < last)
                {
                    if (running.IsCompleted) await running;
                    if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromMinutes(20)) throw new TimeoutException($"the relay stalled at {relay.Status.Position}: {relay.Status.LastError}");
                    await Task.Delay(5);
                }
                var elapsed = Stopwatch.GetElapsedTime(started);
                await stop.CancelAsync();
                try { await running; } catch (OperationCanceledException) { }
                await channel.QueuePurgeAsync(queue);
                return RoundResult.Throughput(messages.Count, elapsed);
            });
            var baselineSide = new Side("RabbitMQ.Client", async warmUp =>
            {
                // A channel configured exactly as the relay's (confirm tracking, no limiter on outstanding confirms).
                await using var connection = new BrokerConnection(Broker.Uri, new MessagingSettings { ClientName = "ledger-bench-relay-baseline" },
                    NullLogger<BrokerConnection>.Instance);
                await using var publisher = await connection.CreateChannelAsync(confirms: true, CancellationToken.None);
                var started = Stopwatch.GetTimestamp();
                for (var i = 0; i < messages.Count; i += batchSize)
                {
                    var confirms = new List<Task>(batchSize);
                    foreach (var (routingKey, properties, body) in messages.Skip(i).Take(batchSize))
                        confirms.Add(publisher.BasicPublishAsync(exchange, routingKey, mandatory: false, properties, body).AsTask());
                    await Task.WhenAll(confirms);
                }
                var elapsed = Stopwatch.GetElapsedTime(started);
                await channel.QueuePurgeAsync(queue);
                return RoundResult.Throughput(messages.Count, elapsed);
            });
            var outcomes = await Rounds.Rotate(settings.WholeStoreRounds, "messages/s", [baselineSide, ledgerSide], label: "6");
            return new ScenarioOutcome([new ResultRow
            {
                Scenario = "6. Relay",
                Measure = $"messages/s published with confirms, {messages.Count:N0} stored events from zero",
                Figures = outcomes[1].Against(outcomes[0]),
                Goal = "≥ 0.8×",
                GoalRatio = 0.8,
                Notes = $"Ledger: OutboxRelay (batches of {batchSize}, checkpoint after confirms); baseline: the same messages " +
                        $"(envelope bytes and properties built beforehand) published with confirms in batches of {batchSize}, no database; " +
                        "durable topic exchange and one durable queue of the bench's own; " +
                        $"CPU per message: {outcomes[1].CpuPerOperation} (baseline {outcomes[0].CpuPerOperation}; the broker's CPU is " +
                        "in neither). Where a gap comes from: the relay's own work per message (reading the store and parsing each " +
                        "record, translating it, writing its envelope) shares the two cores with the broker; reading ahead and " +
                        "checkpointing behind hide the waits, not that work; docs/performance.md, \"The relay\"",
            }], []);
        }
        finally
        {
            await channel.QueueDeleteAsync(queue);
            await channel.ExchangeDeleteAsync(exchange);
            metrics.Dispose();
        }
    }

    /// <summary>The application's catalogue, as the Host hands it to the relay.</summary>
    private sealed class Catalogue : IIntegrationEventCatalogue
    {
        public IReadOnlyCollection<string> PublishedTypes => IntegrationCatalogue.PublishedTypes;

        public IntegrationEvent? Translate(RecordedEvent recorded) =>
            IntegrationCatalogue.Translate(recorded) is { } published
                ? new IntegrationEvent(published.Name, published.Version, published.Payload)
                : null;
    }
}

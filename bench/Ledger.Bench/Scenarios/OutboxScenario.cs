using System.Diagnostics;
using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.Events.Daemon;
using Ledger.Application.Integration;
using Ledger.Bench.Infrastructure;
using Ledger.Bench.Report;
using Ledger.EventStore;
using Ledger.EventStore.MartenStore;
using Ledger.Messaging;
using Ledger.Messaging.Contracts;
using Ledger.Messaging.Diagnostics;
using Ledger.Messaging.Outbox;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using Wolverine;
using Wolverine.Marten;
using Wolverine.RabbitMQ;

namespace Ledger.Bench.Scenarios;

/// <summary>
/// Scenario 6: stored order events published from the event store through Wolverine, as the Host does it (the
/// <c>ledger_outbox</c> subscription on Marten's daemon, each page's messages sent through Wolverine's inline RabbitMQ
/// endpoint with publisher confirms, all in flight at once),
/// from zero (the subscription rewound to the start; the host already running and connected), until every message is in
/// the bench's queue; against RabbitMQ.Client publishing the very same messages (body bytes and properties built
/// beforehand, no database) with confirms, in batches of the outbox's page size. Both publish to a durable topic exchange
/// of the bench's own with one durable queue bound to it, purged between rounds.
/// </summary>
public sealed class OutboxScenario(BenchSettings settings, BenchDatabase database)
{
    private const int Tenants = 10;

    public async Task<ScenarioOutcome> RunAsync()
    {
        var n = settings.RelayEvents;
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var exchange = $"bench.events.{suffix}";
        var queue = $"bench.outbox.{suffix}";
        Log.Line($"6. Outbox: preloading {n:N0} order events; exchange {exchange}");
        await using var ledger = await database.CreateLedgerAsync("s6", 100, MessagingMigrations.Set);
        var store = ledger.Store;
        await OrderEvents.PreloadAsync(store, n, Tenants);
        await ledger.SealedAsync();
        await BenchDatabase.AnalyzeAsync(ledger.Admin, "mt_events", "mt_streams", "ledger_chain", "ledger_chain_heads");
        var catalogue = new Catalogue();
        var messagingSettings = new MessagingSettings { Exchange = exchange, ClientName = "ledger-bench-outbox" };
        var batchSize = messagingSettings.Outbox.BatchSize;

        // The baseline's messages, exactly as the outbox builds them (untimed), and the last position.
        var messages = new List<(string RoutingKey, BasicProperties Properties, byte[] Body)>(n);
        var mapper = new IntegrationMessageMapper();
        var last = GlobalPosition.Start;
        for (var page = await store.ReadAllAsync(last, 5000); page.Count > 0; page = await store.ReadAllAsync(last, 5000))
        {
            foreach (var recorded in page)
                if (catalogue.Translate(recorded) is { } published)
                {
                    var message = IntegrationMessage.For(recorded, published, messagingSettings.Producer);
                    var envelope = new Envelope(message);
                    var properties = new BasicProperties { Headers = new Dictionary<string, object?>(3) };
                    mapper.MapEnvelopeToOutgoing(envelope, properties);
                    messages.Add((message.RoutingKey, properties, message.Body));
                }
            last = page[^1].Position;
        }

        await using var admin = await Broker.ConnectAsync("ledger-bench-outbox-admin");
        await using var channel = await admin.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(exchange, RabbitMQ.Client.ExchangeType.Topic, durable: true, autoDelete: false);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync(queue, exchange, "#");
        // The publisher starts idle (its shard already at the end), so each round measures publishing only.
        await using (var preset = ledger.Admin.CreateCommand(
            "INSERT INTO mt_event_progression (name, last_seq_id) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET last_seq_id = $2"))
        {
            preset.Parameters.Add(new() { Value = OutboxSubscription.ShardName });
            preset.Parameters.Add(new() { Value = last.Seq });
            await preset.ExecuteNonQueryAsync();
        }
        using var metrics = new MessagingMetrics();
        using var publisher = await StartPublisherAsync(ledger, catalogue, messagingSettings, metrics);
        var daemon = publisher.Services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase();
        try
        {
            var ledgerSide = new Side("Wolverine inline", async warmUp =>
            {
                var started = Stopwatch.GetTimestamp();
                await daemon.RewindSubscriptionAsync(OutboxSubscription.Name, CancellationToken.None, sequenceFloor: 0);
                while (await channel.MessageCountAsync(queue) < messages.Count)
                {
                    if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromMinutes(20)) throw new TimeoutException("the outbox stalled");
                    await Task.Delay(5);
                }
                var elapsed = Stopwatch.GetElapsedTime(started);
                await channel.QueuePurgeAsync(queue);
                return RoundResult.Throughput(messages.Count, elapsed);
            });
            var baselineSide = new Side("RabbitMQ.Client", async warmUp =>
            {
                // A channel configured as Wolverine's (confirms with tracking).
                await using var connection = await Broker.ConnectAsync("ledger-bench-outbox-baseline");
                await using var sender = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
                var started = Stopwatch.GetTimestamp();
                for (var i = 0; i < messages.Count; i += batchSize)
                {
                    var confirms = new List<Task>(batchSize);
                    foreach (var (routingKey, properties, body) in messages.Skip(i).Take(batchSize))
                        confirms.Add(sender.BasicPublishAsync(exchange, routingKey, mandatory: false, properties, body).AsTask());
                    await Task.WhenAll(confirms);
                }
                var elapsed = Stopwatch.GetElapsedTime(started);
                await channel.QueuePurgeAsync(queue);
                return RoundResult.Throughput(messages.Count, elapsed);
            });
            var outcomes = await Rounds.Rotate(settings.WholeStoreRounds, "messages/s", [baselineSide, ledgerSide], label: "6");
            return new ScenarioOutcome([new ResultRow
            {
                Scenario = "6. Outbox",
                Measure = $"messages/s published with confirms, {messages.Count:N0} stored events from zero",
                Figures = outcomes[1].Against(outcomes[0]),
                Goal = "≥ 0.8×",
                GoalRatio = 0.8,
                Notes = $"Ledger: the ledger_outbox subscription on Marten's daemon (pages of {batchSize}) through Wolverine's inline " +
                        "RabbitMQ endpoint with confirms (a page's sends in flight together, the shard moved after their confirms), timed from the rewind to the last message in the queue; baseline: the same " +
                        $"messages (body bytes and properties built beforehand) published with confirms in batches of {batchSize}, no database; " +
                        $"CPU per message: {outcomes[1].CpuPerOperation} (baseline {outcomes[0].CpuPerOperation}; the broker's CPU is in " +
                        "neither); " +
                        "docs/performance.md, \"The outbox\"",
            }], []);
        }
        finally
        {
            await publisher.StopAsync();
            await channel.QueueDeleteAsync(queue);
            await channel.ExchangeDeleteAsync(exchange);
        }
    }

    /// <summary>The Host's composition of the outbox, over the bench's schema.</summary>
    private static async Task<IHost> StartPublisherAsync(LedgerSchema ledger, Catalogue catalogue, MessagingSettings settings, MessagingMetrics metrics)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Bench" });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(metrics);
        builder.Services.AddSingleton(new OutboxPublishing(ledger.Ledger.Shapes, MartenLedger.Json, catalogue, settings.Producer));
        builder.Services.AddMarten(options =>
            {
                options.Connection(ledger.App);
                LedgerMarten.Configure(options, ledger.Name, ledger.Ledger.Shapes, MartenLedger.Json);
            })
            .AddAsyncDaemon(DaemonMode.HotCold)
            .IntegrateWithWolverine();
        builder.Services.AddLedgerOutbox();
        builder.UseWolverine(options =>
        {
            options.ServiceName = "ledger-bench";
            options.ApplicationAssembly = typeof(OutboxScenario).Assembly;
            options.Discovery.DisableConventionalDiscovery();
            options.AutoBuildMessageStorageOnStartup = AutoCreate.None;
            options.CodeGeneration.TypeLoadMode = TypeLoadMode.Static;
            var rabbit = options.UseRabbitMq(factory =>
            {
                factory.Uri = Broker.Uri;
                factory.ClientProvidedName = settings.ClientName;
            });
            LedgerOutbox.PublishTo(options, rabbit, settings);
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>The application's catalogue, as the Host hands it to the outbox.</summary>
    private sealed class Catalogue : IIntegrationEventCatalogue
    {
        public IReadOnlyCollection<string> PublishedTypes => IntegrationCatalogue.PublishedTypes;

        public IntegrationEvent? Translate(RecordedEvent recorded) =>
            IntegrationCatalogue.Translate(recorded) is { } published
                ? new IntegrationEvent(published.Name, published.Version, published.Payload)
                : null;
    }
}

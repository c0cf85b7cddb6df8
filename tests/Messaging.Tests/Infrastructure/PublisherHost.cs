using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.Events.Daemon;
using Ledger.EventStore.MartenStore;
using Ledger.Messaging.Diagnostics;
using Ledger.Messaging.Outbox;
using Ledger.TestSupport;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Wolverine;
using Wolverine.Marten;
using Wolverine.RabbitMQ;

namespace Ledger.Messaging.Tests.Infrastructure;

/// <summary>
/// A process that publishes the test store's integration events as the Host does: Marten's HotCold daemon running
/// the outbox shard (<see cref="LedgerOutbox.AddLedgerOutbox"/>), Wolverine with its storage in the test schema,
/// and the RabbitMQ route of <see cref="LedgerOutbox.PublishTo"/> to the test broker. The test database seals on its own
/// daemon; this one only publishes. Two of them over one schema elect one publisher, as two Hosts do.
/// </summary>
public sealed class PublisherHost : IAsyncDisposable
{
    private readonly IHost host;
    private bool stopped;

    private PublisherHost(IHost host) => this.host = host;

    public IServiceProvider Services => host.Services;

    /// <param name="broker">The broker's address for this process only (a <see cref="TcpProxy"/> a test can cut); the test broker's by default.</param>
    public static async Task<PublisherHost> StartAsync(MessagingHarness h, TestLogs? logs = null, Uri? broker = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddProvider(new TestLogProvider(logs ?? h.Logs));
        var settings = h.Broker.Settings;
        var shapes = TestDatabase.Shapes();
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(h.Metrics);
        builder.Services.AddSingleton(new OutboxPublishing(shapes, TestDatabase.Json, new LedgerCatalogue(), settings.Producer));
        builder.Services.AddMarten(options =>
            {
                options.Connection(h.Db.AppDataSource);
                LedgerMarten.Configure(options, h.Db.Schema, shapes, TestDatabase.Json);
            })
            .AddAsyncDaemon(DaemonMode.HotCold)
            .IntegrateWithWolverine();
        builder.Services.AddLedgerOutbox();
        builder.UseWolverine(options =>
        {
            options.ServiceName = "ledger-test";
            options.ApplicationAssembly = typeof(PublisherHost).Assembly;
            options.Discovery.DisableConventionalDiscovery();
            options.AutoBuildMessageStorageOnStartup = AutoCreate.None;
            options.CodeGeneration.TypeLoadMode = TypeLoadMode.Static;
            var rabbit = options.UseRabbitMq(factory =>
            {
                factory.Uri = broker ?? h.Broker.Uri;
                factory.ClientProvidedName = settings.ClientName;
                factory.RequestedHeartbeat = settings.Heartbeat;
            });
            LedgerOutbox.PublishTo(options, rabbit, settings);
        });
        var built = builder.Build();
        await built.StartAsync();
        var running = new PublisherHost(built);
        h.Track(running);
        return running;
    }

    /// <summary>Stops as a Host stops: the daemon releases its shards, Wolverine its node and the envelopes it owned.</summary>
    public async Task StopAsync()
    {
        if (stopped) return;
        stopped = true;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.StopAsync(timeout.Token);
        host.Dispose();
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private sealed class TestLogProvider(TestLogs logs) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => logs.For<TestLogProvider>();

        public void Dispose()
        {
        }
    }
}

using System.Diagnostics;
using System.Text;
using Alba;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace Ledger.EndToEnd.Tests.Messaging;

/// <summary>
/// The whole Host with messaging on: a fresh schema, and an exchange and queue prefix of its own on the test
/// RabbitMQ, so classes run in parallel without seeing each other's messages. Its settings are also handed to
/// <c>ledger</c> processes (the CLI, or a second Host) started by tests.
/// </summary>
public class MessagingAppFixture : IAsyncLifetime
{
    public const string Issuer = "ledger-test";
    public const string Audience = "ledger-api-test";

    private readonly string id = Guid.NewGuid().ToString("N")[..12];
    private readonly string keyDirectory = Path.Combine(Path.GetTempPath(), "ledger-e2e-" + Guid.NewGuid().ToString("N"));
    private readonly List<string> queues = [];
    private IAlbaHost? host;
    private TestDatabase? db;

    public TestDatabase Db => db ?? throw new InvalidOperationException("not initialized");

    public IAlbaHost Host => host ?? throw new InvalidOperationException("not initialized");

    public TestTokens Tokens { get; private set; } = null!;

    /// <summary>
    /// Whether an in-memory Host runs beside the test (a test of publishing processes turns it off: the publishing shard
    /// runs on whichever Host leads Marten's daemon, and an in-memory one would take it).
    /// </summary>
    protected virtual bool InMemoryHost => true;

    /// <summary>Settings a derived fixture adds or overrides (for the in-memory Host and the processes alike).</summary>
    protected virtual IReadOnlyDictionary<string, string?> MoreSettings { get; } = new Dictionary<string, string?>();

    public string Exchange => $"e2e.{id}.events";

    public string QueuePrefix => $"e2e.{id}.";

    public static Uri BrokerUri => TestServers.RabbitMq;

    /// <summary>Every setting, as configuration keys (for the in-memory Host) and environment variables (for processes).</summary>
    public Dictionary<string, string?> Settings { get; private set; } = [];

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync(sealing: false);
        SigningKeyFiles.Generate(Path.Combine(keyDirectory, "signing-key.pem"));
        Settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Ledger"] = Db.AppConnectionString,
            ["ConnectionStrings:LedgerAdmin"] = Db.AdminConnectionString,
            ["ConnectionStrings:RabbitMq"] = BrokerUri.ToString(),
            ["Ledger:Database:Schema"] = Db.Schema,
            ["Ledger:Database:AppRole"] = TestDatabase.AppRole,
            ["Ledger:Database:MigrateOnStart"] = "true",
            ["Ledger:Database:EnsureAppRole"] = "false",
            ["Ledger:Auth:Issuer"] = Issuer,
            ["Ledger:Auth:Audience"] = Audience,
            ["Ledger:Auth:SigningKeyPath"] = Path.Combine(keyDirectory, "signing-key.pem"),
            ["Ledger:Messaging:Exchange"] = Exchange,
            ["Ledger:Messaging:QueuePrefix"] = QueuePrefix,
            ["Ledger:Messaging:Outbox:MonitorInterval"] = "00:00:00.200",
            ["Ledger:Messaging:Outbox:HostHeartbeat"] = "00:00:01",
            ["Ledger:Messaging:Outbox:DeadHostTimeout"] = "00:00:05",
            ["Ledger:Messaging:Consumers:FirstRetryDelay"] = "00:00:00.100",
            ["Ledger:Messaging:Consumers:MaxRetryDelay"] = "00:00:01",
            ["Ledger:Messaging:Consumers:OutageRetryDelay"] = "00:00:00.500",
            ["Ledger:Messaging:Consumers:DeadLetterProbeInterval"] = "00:00:00.200",
            ["Serilog:MinimumLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in MoreSettings) Settings[key] = value;
        if (InMemoryHost)
        {
            host = await Infrastructure.InMemoryHost.StartAsync(Settings);
            Tokens = new TestTokens(Host.Services.GetRequiredService<LedgerSigningKeys>(), Issuer, Audience);
        }
        foreach (var consumer in Ledger.Host.Messaging.Inbound.InboundConsumers.All)
            queues.Add(QueuePrefix + consumer.Name);
    }

    public HttpClient Client() => Host.Client();

    /// <summary>A <c>ledger</c> process with this fixture's settings (the CLI, or <c>serve</c> for a second Host).</summary>
    public ProcessStartInfo LedgerProcess(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ledger.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        foreach (var (key, value) in Settings) start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        return start;
    }

    public async Task<(int ExitCode, string Stdout, string Stderr)> RunLedgerAsync(params string[] args)
    {
        using var process = Process.Start(LedgerProcess(args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Publishes as the payment gateway would (to the exchange, persistent, with confirm).</summary>
    public Task PublishAsync(string type, Guid messageId, string tenant, string name, object payload) =>
        PublishRawAsync(type, messageId.ToString("D"), Body(messageId, tenant, name, payload));

    /// <summary>An integration envelope as the gateway writes it, its event id <paramref name="eventId"/>.</summary>
    public static byte[] Body(Guid eventId, string tenant, string name, object payload) =>
        Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new
        {
            event_id = eventId, event_name = name, event_version = 1, occurred_at = DateTimeOffset.UtcNow, tenant_id = tenant,
            correlation_id = "gw-" + eventId.ToString("N")[..8], causation_id = (string?)null, trace_id = (string?)null,
            producer = "payments-gateway", actor = (string?)null, payload,
        }));

    /// <summary>Publishes a body as it is (not JSON, perhaps), with the given AMQP message id and type.</summary>
    public async Task PublishRawAsync(string type, string? messageId, byte[] body)
    {
        await using var connection = await new ConnectionFactory { Uri = BrokerUri }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        var properties = new BasicProperties { MessageId = messageId, Type = type, Persistent = true, ContentType = "application/json" };
        await channel.BasicPublishAsync(Exchange, type, mandatory: true, properties, body);
    }

    /// <summary>Until the Host's payments consumer is consuming (before that the gateway's messages are unroutable).</summary>
    public Task WaitForConsumerAsync() => Eventually.Until(async () =>
    {
        try
        {
            await using var connection = await new ConnectionFactory { Uri = BrokerUri }.CreateConnectionAsync();
            await using var channel = await connection.CreateChannelAsync();
            return await channel.ConsumerCountAsync($"{QueuePrefix}payments");
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return 0u; // not declared yet
        }
    }, n => n > 0, TimeSpan.FromSeconds(90), "the payments consumer");

    /// <summary>A durable queue bound to the exchange, to read what other systems receive.</summary>
    public async Task<string> BindObserverAsync(string routingKey)
    {
        var name = $"{QueuePrefix}observer.{queues.Count}";
        queues.Add(name);
        await using var connection = await new ConnectionFactory { Uri = BrokerUri }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Topic, durable: true);
        await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync(name, Exchange, routingKey);
        return name;
    }

    /// <summary>Takes every message waiting in a queue (acked), in order.</summary>
    public static async Task<IReadOnlyList<BasicGetResult>> DrainAsync(string queue)
    {
        var messages = new List<BasicGetResult>();
        await using var connection = await new ConnectionFactory { Uri = BrokerUri }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } got) messages.Add(got);
        return messages;
    }

    public virtual async Task DisposeAsync()
    {
        if (host is not null) await host.DisposeAsync();
        try
        {
            await using var connection = await new ConnectionFactory { Uri = BrokerUri }.CreateConnectionAsync();
            foreach (var queue in queues)
            {
                await using var channel = await connection.CreateChannelAsync();
                await channel.QueueDeleteAsync(queue, false, false);
            }
            await using var last = await connection.CreateChannelAsync();
            await last.ExchangeDeleteAsync(Exchange, false);
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.RabbitMQClientException or IOException)
        {
            // Best effort cleanup.
        }
        if (db is not null) await db.DisposeAsync();
        if (Directory.Exists(keyDirectory)) Directory.Delete(keyDirectory, recursive: true);
    }
}

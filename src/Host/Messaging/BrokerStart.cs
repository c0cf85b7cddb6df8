using JasperFx;
using Ledger.Messaging;
using Wolverine;
using Wolverine.RabbitMQ.Internal;
using Wolverine.Runtime;
using Wolverine.Transports;
using Wolverine.Transports.Sending;

namespace Ledger.Host.Messaging;

/// <summary>
/// Lets the Host start, serve and run Wolverine while its broker is away, and starts Wolverine's RabbitMQ part once the
/// broker answers (docs/wolverine.md, "Start-up without the broker").
/// <para>
/// Why this exists: Wolverine 6.64.2 connects its RabbitMQ transport while its runtime starts
/// (<c>BrokerTransport.InitializeAsync</c>, retried every 5 s for <c>BrokerInitializationTimeout</c>) and then fails the
/// Host's start; it has no lazy connection, and a transport that failed at start is never initialized again.
/// <c>ResourceMigrationFailureMode.ContinueOnFailures</c> lets the start go on past the failed transport (no senders
/// are built for it) but still starts its listeners, which then fail the start. So, only when the broker does not
/// answer just before Wolverine starts: the start goes on past the transport (that failure mode, one attempt), the
/// RabbitMQ listeners are held back, the sending endpoints get a stand-in sender that refuses every message, and once
/// the broker answers Wolverine's own transport initialisation runs (connect, declare), the real sending agents are
/// built and the held listeners started, all through Wolverine's endpoint collection. When the broker answers at start
/// nothing here changes Wolverine.
/// </para>
/// </summary>
internal sealed partial class BrokerStart(IConfiguration configuration, MessagingSettings settings, IWolverineRuntime runtime,
    TimeProvider clock, ILogger<BrokerStart> logger) : IHostedLifecycleService, IDisposable
{
    private readonly CancellationTokenSource stopping = new();
    private readonly List<RabbitMqQueue> heldListeners = [];
    private readonly List<Wolverine.Configuration.Endpoint> heldSenders = [];
    private RabbitMqTransport? transport;
    private Task waiting = Task.CompletedTask;

    /// <summary>True from a start without the broker until Wolverine's RabbitMQ transport and listeners are started.</summary>
    public bool Waiting { get; private set; }

    /// <summary>Before any hosted service starts, so before Wolverine's runtime: is the broker there?</summary>
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        if (MessagingConfiguration.BrokerUri(configuration) is not { } broker) return;
        transport = runtime.Options.Transports.OfType<RabbitMqTransport>().SingleOrDefault();
        if (transport is null) return;
        if (await BrokerProbe.FailureAsync(broker, settings.ClientName, cancellationToken) is not { } failure) return;

        LogStartingWithoutBroker(logger, broker.Host, broker.Port, failure);
        // One attempt, and the start goes on past the transport (the only broker-related failure Wolverine's start can
        // meet from here). Also makes a storage check that fails in this start a logged error: the node's registration
        // right after it still needs the database's tables, so a missing schema still stops the Host.
        runtime.Options.BrokerInitializationTimeout = TimeSpan.Zero;
        runtime.Options.ResourceMigrationFailureMode = ResourceMigrationFailureMode.ContinueOnFailures;
        foreach (var queue in transport.Queues.Where(q => q.IsListener))
        {
            // Compiled now rather than during Wolverine's start: compiling applies the listener's configuration, which
            // marks the endpoint a listener again (ListenToRabbitQueue's delayed configuration). Compiling happens once.
            queue.Compile(runtime);
            queue.IsListener = false;
            heldListeners.Add(queue);
        }
        // Wolverine builds the sending agents of its routes as it starts (it warms its routing cache), and a RabbitMQ
        // sender cannot be built without the transport's connection. Each sending endpoint gets an agent now whose
        // sender refuses every message while the broker is away (BrokerAwaySender): the outbox's page fails through
        // the endpoint's failure rule, as with a broker lost after start, and is published again later. Routes read
        // the endpoint's agent on every send, so the real one built once the broker answers replaces it everywhere.
        foreach (var endpoint in ((ITransport)transport).Endpoints().Where(e => e.AutoStartSendingAgent()))
        {
            heldSenders.Add(endpoint);
            runtime.Endpoints.CreateSendingAgent(null, new BrokerAwaySender(endpoint.Uri), endpoint);
        }
        Waiting = true;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Wolverine has started (without its RabbitMQ transport when <see cref="Waiting"/>): wait for the broker.</summary>
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        if (Waiting) waiting = Task.Run(() => WaitForBrokerAsync(stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        try
        {
            await waiting.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopped while waiting for the broker.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => stopping.Dispose();

    private async Task WaitForBrokerAsync(CancellationToken ct)
    {
        var broker = MessagingConfiguration.BrokerUri(configuration)!;
        while (!ct.IsCancellationRequested)
        {
            await Task.Delay(settings.BrokerRetryInterval, clock, ct);
            if (await BrokerProbe.FailureAsync(broker, settings.ClientName, ct) is not null) continue;
            try
            {
                // Wolverine's own start of the transport: both connections (with RabbitMQ.Client's automatic recovery
                // from now on) and, with AutoProvision, the exchange, queues and bindings.
                await transport!.InitializeAsync(runtime);
                foreach (var endpoint in heldSenders) runtime.Endpoints.GetOrBuildSendingAgent(endpoint.Uri);
                foreach (var queue in heldListeners)
                {
                    queue.IsListener = true;
                    await runtime.Endpoints.StartListenerAsync(queue, ct);
                }
                Waiting = false;
                LogBrokerStarted(logger, heldListeners.Count);
                return;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // The broker went away again between the probe and the start: the next probe tries again. What started
                // is left as it is (starting a transport and a listener twice is a no-op in Wolverine).
                LogBrokerStartFailed(logger, e.GetBaseException().Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Starting without the broker at {Host}:{Port} ({Reason}): events wait in the store and the inbound listeners start once it answers")]
    private static partial void LogStartingWithoutBroker(ILogger logger, string host, int port, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The broker answers: Wolverine's RabbitMQ transport is started and {Listeners} inbound listener(s) with it")]
    private static partial void LogBrokerStarted(ILogger logger, int listeners);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The broker answered but Wolverine's RabbitMQ transport did not start ({Reason}); trying again")]
    private static partial void LogBrokerStartFailed(ILogger logger, string reason);
}

/// <summary>
/// The sender of a sending endpoint while the Host waits for its broker (<see cref="BrokerStart"/>): every message is
/// refused, so its sending agent's failure rule fails the outbox's page and nothing is taken for sent.
/// </summary>
internal sealed class BrokerAwaySender(Uri destination) : ISender
{
    public bool SupportsNativeScheduledSend => false;

    public Uri Destination { get; } = destination;

    public Task<bool> PingAsync() => Task.FromResult(false);

    public ValueTask SendAsync(Envelope envelope) =>
        ValueTask.FromException(new InvalidOperationException($"The broker has not answered since this host started; nothing is sent to {Destination}"));
}

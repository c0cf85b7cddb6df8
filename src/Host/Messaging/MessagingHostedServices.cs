using Ledger.Messaging.Broker;
using Ledger.Messaging.Relay;

namespace Ledger.Host.Messaging;

/// <summary>Runs the outbox relay (it waits for the lease when another process is the relay).</summary>
internal sealed class RelayService(MessagingRuntime runtime) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        runtime.Relay is { } relay ? relay.RunAsync(stoppingToken) : Task.CompletedTask;
}

/// <summary>
/// The relay's messaging components of this process, built once: none when no broker is configured, the relay only
/// when enabled. (The inbound consumers are Wolverine listeners: Messaging/Inbound.)
/// </summary>
internal sealed class MessagingRuntime(BrokerConnection? broker, OutboxRelay? relay, bool configured)
    : IAsyncDisposable
{
    public bool Configured { get; } = configured;

    public BrokerConnection? Broker { get; } = broker;

    public OutboxRelay? Relay { get; } = relay;

    public async ValueTask DisposeAsync()
    {
        if (Broker is not null) await Broker.DisposeAsync();
    }
}

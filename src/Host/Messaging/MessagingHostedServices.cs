using Ledger.Messaging.Broker;
using Ledger.Messaging.Consumers;
using Ledger.Messaging.Relay;

namespace Ledger.Host.Messaging;

/// <summary>Runs the outbox relay (it waits for the lease when another process is the relay).</summary>
internal sealed class RelayService(MessagingRuntime runtime) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        runtime.Relay is { } relay ? relay.RunAsync(stoppingToken) : Task.CompletedTask;
}

/// <summary>Runs every inbound consumer, each reconnecting on its own.</summary>
internal sealed class ConsumersService(MessagingRuntime runtime) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(runtime.Consumers.Select(c => c.RunAsync(stoppingToken)));
}

/// <summary>
/// The messaging components of this process, built once: none when no broker is configured, the relay and the
/// consumers each only when enabled.
/// </summary>
internal sealed class MessagingRuntime(BrokerConnection? broker, OutboxRelay? relay, IReadOnlyList<MessageConsumer> consumers, bool configured)
    : IAsyncDisposable
{
    public bool Configured { get; } = configured;

    public BrokerConnection? Broker { get; } = broker;

    public OutboxRelay? Relay { get; } = relay;

    public IReadOnlyList<MessageConsumer> Consumers { get; } = consumers;

    public async ValueTask DisposeAsync()
    {
        if (Broker is not null) await Broker.DisposeAsync();
    }
}

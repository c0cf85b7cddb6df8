using Ledger.Messaging.Broker;
using Ledger.Messaging.Consumers;

namespace Ledger.Host.Messaging;

/// <summary>Runs every inbound consumer, each reconnecting on its own.</summary>
internal sealed class ConsumersService(MessagingRuntime runtime) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(runtime.Consumers.Select(c => c.RunAsync(stoppingToken)));
}

/// <summary>
/// The inbound consumers of this process, built once: none when no broker is configured or consumers are off.
/// (Publishing is Wolverine's: see <see cref="LedgerRabbitMq"/>.)
/// </summary>
internal sealed class MessagingRuntime(BrokerConnection? broker, IReadOnlyList<MessageConsumer> consumers, bool configured)
    : IAsyncDisposable
{
    public bool Configured { get; } = configured;

    public BrokerConnection? Broker { get; } = broker;

    public IReadOnlyList<MessageConsumer> Consumers { get; } = consumers;

    public async ValueTask DisposeAsync()
    {
        if (Broker is not null) await Broker.DisposeAsync();
    }
}

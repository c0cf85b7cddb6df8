using Ledger.EventStore.Notifications;
using Ledger.Messaging.Consumers;

namespace Ledger.Host.Messaging;

/// <summary>Every inbound consumer the Host runs. Adding one: its handler here, its name in <see cref="Names"/>.</summary>
internal static class LedgerConsumers
{
    public static IReadOnlyList<string> Names { get; } = [PaymentResultsConsumer.Name, Invoicing.PaidOrderInvoicingConsumer.Name];

    /// <summary>Both consumers append events inside their inbox transaction, so each commit pulses the append signal.</summary>
    public static IReadOnlyList<ConsumerDefinition> All(IServiceProvider services)
    {
        var signal = services.GetService<AppendSignal>();
        Action? committed = signal is null ? null : signal.Pulse;
        return
        [
            new PaymentResultsConsumer(services.GetRequiredService<TimeProvider>(), services.GetRequiredService<Ledger.EventStore.MartenStore.MartenEventStore>()).Definition with { Committed = committed },
            ActivatorUtilities.CreateInstance<Invoicing.PaidOrderInvoicingConsumer>(services).Definition with { Committed = committed },
        ];
    }
}

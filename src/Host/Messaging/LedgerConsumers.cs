using Ledger.Messaging.Consumers;

namespace Ledger.Host.Messaging;

/// <summary>Every inbound consumer the Host runs. Adding one: its handler here, its name in <see cref="Names"/>.</summary>
internal static class LedgerConsumers
{
    public static IReadOnlyList<string> Names { get; } = [PaymentResultsConsumer.Name, Invoicing.PaidOrderInvoicingConsumer.Name];

    public static IReadOnlyList<ConsumerDefinition> All(IServiceProvider services) =>
    [
        new PaymentResultsConsumer(services.GetRequiredService<TimeProvider>()).Definition,
        ActivatorUtilities.CreateInstance<Invoicing.PaidOrderInvoicingConsumer>(services).Definition,
    ];
}

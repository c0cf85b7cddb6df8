using Ledger.Application.Invoicing.Stamping;
using Wolverine;

namespace Ledger.Host.Invoicing;

/// <summary>
/// The stamping queue on Wolverine (docs/wolverine.md, "The stamping queue"): <see cref="StampInvoice"/> and
/// <see cref="ReconcileInvoice"/> go to the durable local queue <see cref="Queue"/> (stored in Wolverine's inbox table,
/// handled by <see cref="StampingHandler"/>, at most <see cref="StampingOptions.MaxParallelism"/> at once per process).
/// The messages come from <see cref="StampingSubscription"/> (registered with the rest of invoicing,
/// <see cref="InvoicingServices"/>) and from the handler itself (reconciliations, scheduled).
/// </summary>
public static class LedgerStamping
{
    public const string Queue = "stamping";

    /// <summary>From <c>LedgerWolverine.Configure</c>: the handler and the routes (always, so <c>codegen</c> writes the handler).</summary>
    public static void Register(WolverineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Discovery.IncludeType(typeof(StampingHandler));
        options.PublishMessage<StampInvoice>().ToLocalQueue(Queue);
        options.PublishMessage<ReconcileInvoice>().ToLocalQueue(Queue);
        options.Services.AddSingleton<IWolverineExtension, StampingQueueExtension>();
    }
}

/// <summary>The queue's settings from the host's final configuration (a test host's included; see LedgerBrokerExtension).</summary>
internal sealed class StampingQueueExtension(IConfiguration configuration) : IWolverineExtension
{
    public void Configure(WolverineOptions options)
    {
        var settings = configuration.GetSection(StampingOptions.Section).Get<StampingOptions>() ?? new StampingOptions();
        // Durable: a message is in the inbox table from the subscription's commit on, so a host that dies with it
        // leaves it to the others (Wolverine recovers a dead node's envelopes once the node is stale).
        options.LocalQueue(LedgerStamping.Queue).UseDurableInbox().MaximumParallelMessages(Math.Max(1, settings.MaxParallelism));
    }
}

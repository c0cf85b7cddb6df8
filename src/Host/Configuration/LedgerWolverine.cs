using JasperFx;
using JasperFx.CodeGeneration;
using Wolverine;

namespace Ledger.Host.Configuration;

/// <summary>
/// Wolverine in the Host (issue 14, one module at a time): its runtime, durable envelope storage (through Marten's
/// <c>IntegrateWithWolverine</c>, in Ledger's schema), its durability and leader agents, and the inbound consumers as
/// RabbitMQ listeners with the durable inbox (<see cref="Messaging.Inbound.InboundListeners"/>), and the outbox's route
/// to the integration exchange (<see cref="Messaging.LedgerRabbitMq"/>), the stamping queue (<c>LedgerStamping</c>), and
/// the order commands as an aggregate handler behind the order resource's Wolverine endpoints. The invoice commands are
/// still Ledger's own (docs/wolverine.md, "Still to move").
/// </summary>
internal static class LedgerWolverine
{
    public static void Configure(WolverineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ServiceName = "ledger";
        // The Host's own assembly, named rather than guessed from the entry assembly (a test runner's, under
        // WebApplicationFactory).
        options.ApplicationAssembly = typeof(LedgerWolverine).Assembly;
        // Handlers are named one by one (InboundListeners.Register). Conventional discovery would take Ledger's own
        // classes and methods by their names (a static Handle of a *Handler class) beside the code that runs them.
        options.Discovery.DisableConventionalDiscovery();
        // The application's role cannot run DDL: the owner creates Wolverine's tables with Marten's and Ledger's
        // (MartenLedgerSchema, WolverineEnvelopeStorage); at start-up Wolverine only checks they are there.
        options.AutoBuildMessageStorageOnStartup = AutoCreate.None;
        // Static: load pre-generated handler types and never compile at run time (this Wolverine brings no Roslyn;
        // WolverineFx.RuntimeCompilation would): the handlers' `codegen write` output is committed in Internal/Generated
        // (`make codegen`; GeneratedCodeTests fails when it is stale).
        options.CodeGeneration.TypeLoadMode = TypeLoadMode.Static;
        Messaging.Inbound.InboundListeners.Register(options);
        // Commands as aggregate handlers over the deciders (issue 14, item 1), run by the HTTP endpoints.
        options.Discovery.IncludeType(typeof(Ledger.Application.Orders.OrderCommandHandler));
        options.Discovery.IncludeType(typeof(Ledger.Application.Invoicing.FiscalCommandHandler));
        options.Discovery.IncludeType(typeof(Ledger.Application.Invoicing.Settings.InvoicingSettingsHandler));
        options.Discovery.IncludeType(typeof(Ledger.Application.Privacy.DataSubjectErasure));
        Invoicing.LedgerStamping.Register(options);
        // RabbitMQ (the outbox's route, the inbound listeners), once the host's configuration is final (Messaging/LedgerRabbitMq).
        options.Services.AddSingleton<IWolverineExtension, Ledger.Host.Messaging.LedgerBrokerExtension>();
    }
}

using JasperFx;
using JasperFx.CodeGeneration;
using Wolverine;

namespace Ledger.Host.Configuration;

/// <summary>
/// Wolverine in the Host, beside today's code (issue 14, step 1): its runtime, durable envelope storage (through
/// Marten's <c>IntegrateWithWolverine</c>, in Ledger's schema) and its durability and leader agents run, but no
/// handler, route or listener is Wolverine's yet; the hand-written command path, relay and consumers still do
/// every job. Later steps move them here one at a time.
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
        // No handlers yet. Conventional discovery would take Ledger's own *Handler classes (OrderHandler,
        // PaymentResultHandler) as Wolverine handlers and start handling their messages beside the code that does.
        options.Discovery.DisableConventionalDiscovery();
        // The application's role cannot run DDL: the owner creates Wolverine's tables with Marten's and Ledger's
        // (MartenLedgerSchema, WolverineEnvelopeStorage); at start-up Wolverine only checks they are there.
        options.AutoBuildMessageStorageOnStartup = AutoCreate.None;
        // Static: load pre-generated handler types and never compile at run time (this Wolverine brings no Roslyn;
        // WolverineFx.RuntimeCompilation would). With no handlers there is nothing to generate yet, so start-up
        // costs no code generation at all; the first handlers come with `codegen write` output committed beside them.
        options.CodeGeneration.TypeLoadMode = TypeLoadMode.Static;
        // RabbitMQ (the outbox's exchange), once the host's configuration is final (Messaging/LedgerRabbitMq).
        options.Services.AddSingleton<IWolverineExtension, Ledger.Host.Messaging.LedgerBrokerExtension>();
    }
}

using Ledger.Messaging.Outbox;
using Wolverine;
using Wolverine.RabbitMQ;
using Wolverine.RabbitMQ.Internal;

namespace Ledger.Host.Messaging;

/// <summary>
/// The Host's one RabbitMQ transport (<c>UseRabbitMq</c>): the broker of <c>ConnectionStrings:RabbitMq</c>, channels with
/// publisher confirms, and the outbox's route to the integration exchange (<see cref="LedgerOutbox.PublishTo"/>).
/// Inbound listeners are added on the expression this returns.
/// </summary>
public static class LedgerRabbitMq
{
    /// <summary>
    /// The transport, or null when no broker is configured: then nothing is published (the publishing shard does not
    /// run, see <see cref="MessagingServices"/>) and events wait in the store until one is.
    /// </summary>
    public static RabbitMqTransportExpression? Configure(WolverineOptions options, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (MessagingConfiguration.BrokerUri(configuration) is not { } uri) return null;
        var settings = MessagingConfiguration.Settings(configuration);
        var rabbit = options.UseRabbitMq(factory =>
        {
            factory.Uri = uri;
            factory.ClientProvidedName = settings.ClientName;
            factory.RequestedHeartbeat = settings.Heartbeat;
        });
        // Ledger answers no request/reply over RabbitMQ: no per-node reply queue (and no listener on it that would
        // have to wait for the broker with the others when the Host starts without it, see BrokerStart).
        rabbit.DisableSystemRequestReplyQueueDeclaration();
        LedgerOutbox.PublishTo(options, rabbit, settings);
        return rabbit;
    }
}

/// <summary>
/// Applies <see cref="LedgerRabbitMq"/> and the inbound listeners (<see cref="Inbound.InboundListeners"/>) when
/// Wolverine's options are built, with the host's final configuration. The
/// Host composes Wolverine before a test host's configuration overrides are in (they arrive when the host is built), so
/// reading the broker's address in <c>LedgerWolverine.Configure</c> itself would miss them; Wolverine applies
/// extensions registered in the container when it builds its options, after that.
/// </summary>
internal sealed class LedgerBrokerExtension(IConfiguration configuration) : IWolverineExtension
{
    public void Configure(WolverineOptions options) =>
        Inbound.InboundListeners.Configure(options, LedgerRabbitMq.Configure(options, configuration), MessagingConfiguration.Settings(configuration));
}

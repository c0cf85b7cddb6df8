using Wolverine;
using Wolverine.RabbitMQ;
using Wolverine.RabbitMQ.Internal;

namespace Ledger.Host.Messaging;

/// <summary>
/// Ledger's one RabbitMQ transport in Wolverine (<c>ConnectionStrings:RabbitMq</c>, an AMQP URI), with publisher
/// confirms on every channel it creates. Null when no broker is configured: nothing is published or consumed then.
/// </summary>
/// <remarks>
/// Minimal stand-in written on the inbound branch so it builds; the outbox branch owns this file and the lead keeps
/// that one at merge. Inbound adds its listeners through <see cref="Inbound.InboundListeners"/>, taking this expression.
/// </remarks>
internal static class LedgerRabbitMq
{
    public static RabbitMqTransportExpression? Configure(WolverineOptions options, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (MessagingConfiguration.BrokerUri(configuration) is not { } uri) return null;
        return options.UseRabbitMq(uri).ConfigureChannelCreation(channel =>
        {
            channel.PublisherConfirmationsEnabled = true;
            channel.PublisherConfirmationTrackingEnabled = true;
        });
    }
}

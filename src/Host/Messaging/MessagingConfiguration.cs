using Ledger.Messaging;
using Ledger.Messaging.Broker;

namespace Ledger.Host.Messaging;

/// <summary>
/// Where the broker is (<c>ConnectionStrings:RabbitMq</c>, an AMQP URI) and how messaging behaves
/// (<c>Ledger:Messaging:*</c>, see <see cref="MessagingSettings"/>); shared by the web app and the CLI. Without a
/// broker connection string messaging is off: the outbox keeps every event, to be published once it is configured.
/// </summary>
public static class MessagingConfiguration
{
    public const string ConnectionName = "RabbitMq";

    public static MessagingSettings Settings(IConfiguration configuration) =>
        configuration.GetSection(MessagingSettings.Section).Get<MessagingSettings>() ?? new();

    public static Uri? BrokerUri(IConfiguration configuration) =>
        configuration.GetConnectionString(ConnectionName) is { Length: > 0 } uri ? new Uri(uri) : null;

    /// <summary>The queues of every consumer this Host runs (the CLI's dead-letter commands act on them).</summary>
    public static IReadOnlyList<ConsumerQueues> ConsumerQueues(MessagingSettings settings) =>
        [.. LedgerConsumers.Names.Select(name => Ledger.Messaging.Broker.ConsumerQueues.For(name, settings))];
}

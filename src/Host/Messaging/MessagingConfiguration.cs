using Ledger.Messaging;

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
}

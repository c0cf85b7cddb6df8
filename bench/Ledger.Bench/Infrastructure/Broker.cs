using System.Text;
using RabbitMQ.Client;

namespace Ledger.Bench.Infrastructure;

/// <summary>The RabbitMQ node the bench measures: <c>LEDGER_RABBITMQ</c>, or the local node scripts/rabbitmq.sh starts.</summary>
public static class Broker
{
    public static Uri Uri => new(Environment.GetEnvironmentVariable("LEDGER_RABBITMQ") is { Length: > 0 } configured
        ? configured
        : "amqp://guest:guest@127.0.0.1:55672/");

    public static Task<IConnection> ConnectAsync(string name) =>
        new ConnectionFactory { Uri = Uri, ClientProvidedName = name }.CreateConnectionAsync();

    public static async Task<string> VersionAsync()
    {
        try
        {
            await using var connection = await ConnectAsync("ledger-bench-probe");
            return connection.ServerProperties?.TryGetValue("version", out var v) == true && v is byte[] bytes
                ? Encoding.UTF8.GetString(bytes)
                : "?";
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.BrokerUnreachableException or IOException)
        {
            return $"unreachable at {Uri.Host}:{Uri.Port} ({e.GetType().Name})";
        }
    }
}

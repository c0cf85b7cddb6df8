using RabbitMQ.Client;

namespace Ledger.Host.Messaging;

/// <summary>
/// Whether the broker answers: one AMQP connection opened and closed, no channel, no recovery. Used by
/// <c>ledger outbox status</c> and by <see cref="BrokerStart"/> to decide whether Wolverine's RabbitMQ transport can
/// start with the Host or must wait for the broker.
/// </summary>
public static class BrokerProbe
{
    /// <summary>How long one attempt may take; an unreachable address (not refused, silently dropped) costs this much.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <returns>Null when the broker answered, otherwise why not.</returns>
    public static async Task<string?> FailureAsync(Uri broker, string clientName, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(broker);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(Timeout);
            var factory = new ConnectionFactory
            {
                Uri = broker,
                ClientProvidedName = clientName,
                AutomaticRecoveryEnabled = false,
                RequestedConnectionTimeout = Timeout,
            };
            await using var connection = await factory.CreateConnectionAsync(timeout.Token).ConfigureAwait(false);
            await connection.CloseAsync(timeout.Token).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return e.GetBaseException().Message;
        }
    }
}

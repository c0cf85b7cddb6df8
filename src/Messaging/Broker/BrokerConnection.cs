using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Ledger.Messaging.Broker;

/// <summary>
/// This process's one AMQP connection, opened on first use and re-opened on the next use after it broke.
/// The client's automatic recovery is off on purpose: the relay and the consumers notice a broken channel,
/// back off and open a new one themselves, so no delivery tag of a dead channel is ever acknowledged on a
/// new one and no publish is silently parked in a recovering channel.
/// </summary>
public sealed partial class BrokerConnection : IAsyncDisposable
{
    private readonly ConnectionFactory factory;
    private readonly ILogger logger;
    private readonly TimeProvider clock;
    private readonly SemaphoreSlim gate = new(1, 1);
    private IConnection? connection;
    private volatile BrokerState state;

    public BrokerConnection(Uri uri, MessagingSettings settings, ILogger<BrokerConnection> logger, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        factory = new ConnectionFactory
        {
            Uri = uri,
            ClientProvidedName = settings.ClientName,
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
            RequestedHeartbeat = settings.Heartbeat,
            RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
            ConsumerDispatchConcurrency = 1,
        };
        this.logger = logger;
        this.clock = clock ?? TimeProvider.System;
        state = BrokerState.Unknown(this.clock.GetUtcNow());
    }

    public BrokerState State => state;

    /// <summary>The open connection, opening one if there is none or it broke.</summary>
    public async Task<IConnection> GetAsync(CancellationToken ct)
    {
        if (connection is { IsOpen: true } open) return open;
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (connection is { IsOpen: true } reopened) return reopened;
            if (connection is not null) await DisposeQuietly(connection).ConfigureAwait(false);
            connection = null;
            try
            {
                var created = await factory.CreateConnectionAsync(ct).ConfigureAwait(false);
                created.ConnectionShutdownAsync += OnShutdown;
                connection = created;
                state = new BrokerState(true, clock.GetUtcNow(), null);
                LogConnected(logger, factory.Endpoint.ToString());
                return created;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                ReportFailure(e);
                throw;
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>A new channel; with <paramref name="confirms"/>, each publish completes when the broker confirms it.</summary>
    public async Task<IChannel> CreateChannelAsync(bool confirms, CancellationToken ct)
    {
        var open = await GetAsync(ct).ConfigureAwait(false);
        try
        {
            // No limiter on outstanding confirms (null disables it): a throttling one would delay publishes, and any
            // limiter costs a lease per publish. The relay bounds what is outstanding itself (one batch), and a batch
            // reaches the exchange in the order it was read from the store.
            var options = confirms
                ? new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true,
                    outstandingPublisherConfirmationsRateLimiter: null)
                : new CreateChannelOptions(false, false);
            return await open.CreateChannelAsync(options, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ReportFailure(e);
            throw;
        }
    }

    /// <summary>Records that a use of the connection failed (health and status show it until it works again).</summary>
    public void ReportFailure(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var was = state;
        state = new BrokerState(false, was.Connected ? clock.GetUtcNow() : was.Since, error.GetBaseException().Message);
        if (was.Connected) LogLost(logger, error.GetBaseException().Message);
    }

    private Task OnShutdown(object sender, ShutdownEventArgs args)
    {
        if (args.Initiator != ShutdownInitiator.Application)
            ReportFailure(new IOException($"connection closed by {args.Initiator}: {args.ReplyText}"));
        return Task.CompletedTask;
    }

    private static async Task DisposeQuietly(IConnection old)
    {
        try
        {
            await old.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or RabbitMQ.Client.Exceptions.RabbitMQClientException or ObjectDisposedException)
        {
            // It is already broken: that is why it is being replaced.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (connection is not null)
        {
            try
            {
                if (connection.IsOpen) await connection.CloseAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or RabbitMQ.Client.Exceptions.RabbitMQClientException or OperationCanceledException)
            {
                // Closing a broken connection: nothing left to close.
            }
            await DisposeQuietly(connection).ConfigureAwait(false);
        }
        gate.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to RabbitMQ at {Endpoint}")]
    private static partial void LogConnected(ILogger logger, string endpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the RabbitMQ connection: {Error}")]
    private static partial void LogLost(ILogger logger, string error);
}

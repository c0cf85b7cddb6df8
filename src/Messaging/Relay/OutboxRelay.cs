using Ledger.EventStore;
using Ledger.EventStore.Leases;
using Ledger.EventStore.Notifications;
using Ledger.Messaging.Broker;
using Ledger.Messaging.Contracts;
using Ledger.Messaging.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;
using Polly;
using Polly.Retry;

namespace Ledger.Messaging.Relay;

/// <summary>
/// The event store as outbox: publishes every committed event the catalogue declares as an integration event to
/// the exchange, in store order, and moves its checkpoint past a batch only once the broker confirmed all of it.
/// A crash between publish and checkpoint re-publishes the batch (at-least-once; consumers deduplicate by
/// message id). One process relays at a time (advisory lease "relay"); the others wait to take over. While the
/// broker is down the relay backs off and retries, and the backlog simply stays in the store.
/// </summary>
public sealed partial class OutboxRelay
{
    private enum Round { Published, Idle, LeaseLost }

    private readonly IEventStore store;
    private readonly NpgsqlDataSource dataSource;
    private readonly string schema;
    private readonly IIntegrationEventCatalogue catalogue;
    private readonly BrokerConnection broker;
    private readonly MessagingSettings settings;
    private readonly MessagingMetrics metrics;
    private readonly ILogger logger;
    private readonly TimeProvider clock;
    private readonly RelayCheckpoints checkpoints;
    private readonly ResiliencePipeline retry;
    private readonly AppendSignal appended;
    private volatile RelayStatus status;

    public OutboxRelay(IEventStore store, NpgsqlDataSource dataSource, string schema, IIntegrationEventCatalogue catalogue,
        BrokerConnection broker, MessagingSettings settings, MessagingMetrics metrics, ILogger<OutboxRelay> logger,
        AppendSignal? appended = null, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(broker);
        (this.store, this.dataSource, this.schema, this.catalogue, this.broker, this.settings, this.metrics, this.logger) =
            (store, dataSource, schema, catalogue, broker, settings, metrics, logger);
        this.clock = clock ?? TimeProvider.System;
        // The process's append signal when it has one (pulsed by request transactions and by other processes'
        // NOTIFY); the store's own Appended event pulses it too.
        this.appended = appended ?? new AppendSignal();
        checkpoints = new RelayCheckpoints(dataSource);
        retry = new ResiliencePipelineBuilder { TimeProvider = this.clock }.AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(
                args.Outcome.Exception is { } e && !(e is OperationCanceledException && args.Context.CancellationToken.IsCancellationRequested)),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = settings.Relay.RetryDelay,
            MaxDelay = settings.Relay.MaxRetryDelay,
            OnRetry = async args =>
            {
                OnFailure(args.Outcome.Exception!, args.RetryDelay, args.AttemptNumber + 1);
                await MeasureBacklogAsync().ConfigureAwait(false);
            },
        }).Build();
        status = new RelayStatus(false, GlobalPosition.Start, 0, null, null, broker.State);
    }

    public RelayStatus Status => status with { Broker = broker.State };

    /// <summary>Test seam: runs after a batch's confirms and before its checkpoint moves (a crash there re-publishes).</summary>
    internal Func<IReadOnlyList<RecordedEvent>, CancellationToken, Task>? AfterConfirms { get; set; }

    /// <summary>Relays until <paramref name="ct"/> is cancelled: waits for the lease, then publishes while holding it.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        await CheckSchemasAsync().ConfigureAwait(false);
        try
        {
            var failures = 0;
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    await using var lease = await AdvisoryLease.TryAcquireAsync(dataSource, schema, settings.Relay.Name, ct).ConfigureAwait(false);
                    failures = 0;
                    if (lease is null)
                    {
                        await Task.Delay(settings.Relay.LeaseRetryInterval, clock, ct).ConfigureAwait(false);
                        continue;
                    }
                    LogLeader(logger, settings.Relay.Name);
                    await RelayWhileHeldAsync(lease, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    var delay = Backoff(++failures);
                    OnFailure(e, delay, failures);
                    await MeasureBacklogAsync().ConfigureAwait(false);
                    await Task.Delay(delay, clock, ct).ConfigureAwait(false);
                }
                finally
                {
                    status = status with { IsRelay = false };
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping: whatever was not confirmed is published by the next relay.
        }
    }

    private async Task RelayWhileHeldAsync(AdvisoryLease lease, CancellationToken ct)
    {
        var position = await checkpoints.ReadAsync(settings.Relay.Name, ct).ConfigureAwait(false);
        status = status with { IsRelay = true, Position = position };
        RelayPublisher? publisher = null;
        await using var reader = new RelayReader(store, settings.Relay.BatchSize, appended, Translate, ct);
        await using var trail = new CheckpointTrail(checkpoints, settings.Relay.Name, position);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var pulse = appended.Next;
                var round = await retry.ExecuteAsync(async token =>
                {
                    if (!await lease.StillHeldAsync(token).ConfigureAwait(false)) return Round.LeaseLost;
                    // The next batch may have been read while the one before was published; it comes with the pulse
                    // taken before it was read, so an append landing after that read still wakes us.
                    var batch = await reader.ReadAsync(position).ConfigureAwait(false);
                    pulse = batch.PulseBeforeRead;
                    if (batch.Events.Count == 0)
                    {
                        await trail.SettleAsync(token).ConfigureAwait(false);
                        status = status with { Position = trail.Stored };
                        return Round.Idle;
                    }
                    try
                    {
                        if (publisher is not { IsOpen: true })
                        {
                            if (publisher is not null) await publisher.DisposeAsync().ConfigureAwait(false);
                            publisher = null;
                            publisher = await RelayPublisher.OpenAsync(broker, settings.Exchange, token).ConfigureAwait(false);
                        }
                        await publisher.PublishAsync(batch.Messages, settings.Relay.ConfirmTimeout, token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
                    {
                        broker.ReportFailure(e);
                        throw;
                    }
                    if (AfterConfirms is { } hook) await hook(batch.Events, token).ConfigureAwait(false);
                    // Confirmed: the next batch is read from here, and this one is never published again by this
                    // relay, whether or not the write of its checkpoint (under way while the next one is published)
                    // succeeds; a failed write is owed and made by the next move.
                    position = batch.End;
                    metrics.RecordPublished(batch.Messages.Count, batch.Events.Count - batch.Messages.Count);
                    await trail.MoveToAsync(batch.End, token).ConfigureAwait(false);
                    status = status with
                    {
                        Position = trail.Stored, LastPublishedAt = clock.GetUtcNow(), LastError = null,
                        Backlog = batch.Events.Count < settings.Relay.BatchSize ? 0 : status.Backlog,
                    };
                    return Round.Published;
                }, ct).ConfigureAwait(false);

                if (round == Round.LeaseLost)
                {
                    LogLeaseLost(logger, settings.Relay.Name);
                    return;
                }
                if (round == Round.Idle)
                {
                    SetBacklog(0);
                    // Woken at once by an append in this process; appends of other processes are seen at the next
                    // poll (or at once, when the Host listens for their notifications).
                    await AppendSignal.WaitAsync(pulse, settings.Relay.PollInterval, ct).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            if (publisher is not null) await publisher.DisposeAsync().ConfigureAwait(false);
        }
    }

    private IReadOnlyList<OutgoingMessage> Translate(IReadOnlyList<RecordedEvent> batch)
    {
        var messages = new List<OutgoingMessage>(batch.Count);
        foreach (var recorded in batch)
        {
            // An event that cannot be translated stops the relay here (and is retried, loudly) rather than being
            // skipped: skipping would lose it for every consumer.
            if (catalogue.Translate(recorded) is { } published)
                messages.Add(OutgoingMessage.For(recorded, published, settings.Producer));
        }
        return messages;
    }


    private void OnFailure(Exception error, TimeSpan delay, int failures)
    {
        status = status with { LastError = error.GetBaseException().Message };
        LogRetrying(logger, error, failures, delay);
    }

    private async Task MeasureBacklogAsync()
    {
        try
        {
            SetBacklog(await checkpoints.BacklogAsync(status.Position, CancellationToken.None).ConfigureAwait(false));
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            // The database is what failed: the last known backlog stays.
        }
    }

    private void SetBacklog(long backlog)
    {
        status = status with { Backlog = backlog };
        metrics.SetOutboxBacklog(backlog);
    }

    private TimeSpan Backoff(int failures) =>
        TimeSpan.FromMilliseconds(Math.Min(settings.Relay.MaxRetryDelay.TotalMilliseconds,
            settings.Relay.RetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 20))));

    private async Task CheckSchemasAsync()
    {
        var schemas = await ContractSchemas.EmbeddedAsync().ConfigureAwait(false);
        var missing = catalogue.PublishedTypes.Where(t => !schemas.Has(t)).ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException($"Published message types without a schema in schemas/: {string.Join(", ", missing)}.");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "This process is now the outbox relay '{Relay}'")]
    private static partial void LogLeader(ILogger logger, string relay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The outbox relay '{Relay}' lost its lease; another process may take over")]
    private static partial void LogLeaseLost(ILogger logger, string relay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay failed ({Failures} in a row); retrying in {Delay}. The backlog stays in the store")]
    private static partial void LogRetrying(ILogger logger, Exception error, int failures, TimeSpan delay);
}

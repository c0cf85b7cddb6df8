using System.Globalization;
using Ledger.Messaging.Broker;
using Ledger.Messaging.Contracts;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Ledger.Messaging.Consumers;

/// <summary>Where a failed delivery went: a delay queue (and after how long) or the dead-letter queue.</summary>
internal sealed record FailureRoute(string Queue, bool DeadLettered, TimeSpan Delay, int NextAttempt);

/// <summary>
/// Moves a failed delivery on, before it is acknowledged: a copy is published to a delay queue (to come back
/// for another attempt) or to the dead-letter queue, and only once the broker confirmed that copy may the
/// original be acked. If the copy cannot be published, the original stays unacked and comes back.
/// </summary>
internal sealed class FailureRouter(IChannel confirmingChannel, ConsumerQueues queues, RetrySchedule schedule, TimeProvider clock)
{
    public async Task<FailureRoute> RouteAsync(BasicDeliverEventArgs delivery, int attempt, DeliveryResult failure, CancellationToken ct)
    {
        var headers = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in delivery.BasicProperties.Headers ?? new Dictionary<string, object?>())
            if (!LedgerHeaders.IsBrokerDeathHeader(name)) headers[name] = value;

        var error = failure.Error!;
        var description = LedgerHeaders.Truncate($"{ErrorType(error)}: {error.Message}");
        FailureRoute route;
        if (failure.Kind == FailureKind.Outage)
        {
            headers[LedgerHeaders.OutageRetries] = LedgerHeaders.Number(delivery.BasicProperties.Headers, LedgerHeaders.OutageRetries, 0) + 1;
            headers[LedgerHeaders.LastError] = description;
            route = new FailureRoute(queues.Retry(schedule.OutageDelay), false, schedule.OutageDelay, attempt);
        }
        else if (failure.Kind == FailureKind.Transient && attempt < schedule.MaxAttempts)
        {
            var delay = schedule.DelayAfter(attempt);
            headers[LedgerHeaders.LastError] = description;
            route = new FailureRoute(queues.Retry(delay), false, delay, attempt + 1);
        }
        else
        {
            headers[LedgerHeaders.ErrorType] = ErrorType(error);
            headers[LedgerHeaders.ErrorMessage] = LedgerHeaders.Truncate(error.Message);
            if (error is MessageRejectedException rejected) headers["x-ledger-error-code"] = rejected.Reason;
            headers[LedgerHeaders.Attempts] = attempt;
            headers[LedgerHeaders.FailedAt] = clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
            headers[LedgerHeaders.OriginalQueue] = queues.Main;
            route = new FailureRoute(queues.DeadLetters, true, TimeSpan.Zero, attempt);
        }
        headers[LedgerHeaders.Attempt] = route.NextAttempt;

        var properties = new BasicProperties(delivery.BasicProperties) { Headers = headers, DeliveryMode = DeliveryModes.Persistent };
        // Mandatory: if the target queue is missing the broker returns the copy, the publish fails, and the
        // original is not acked.
        await confirmingChannel.BasicPublishAsync("", route.Queue, mandatory: true, properties, delivery.Body.ToArray(), ct).ConfigureAwait(false);
        return route;
    }

    /// <summary>The type of the error that caused the failure (a wrapped refusal names its cause).</summary>
    public static string ErrorType(Exception error) =>
        (error is MessageRejectedException { InnerException: { } cause } ? cause : error).GetType().FullName ?? error.GetType().Name;
}

using System.Globalization;
using System.Text;
using Ledger.Messaging.Broker;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Ledger.Messaging.DeadLetters;

/// <summary>
/// The operator's view of the consumers' dead-letter queues (<c>ledger dlq …</c>). Listing takes messages
/// without acknowledging them and hands them all back, so nothing is lost by looking. Replaying publishes a
/// message back to its consumer's queue as a first attempt and removes it from the dead-letter queue only
/// once the broker confirmed the copy. A replayed message that was in fact applied meanwhile changes nothing:
/// the consumer's inbox knows its id.
/// </summary>
public sealed class DeadLetterQueues(BrokerConnection broker, IReadOnlyList<ConsumerQueues> consumers, TimeProvider? clock = null)
{
    private readonly TimeProvider clock = clock ?? TimeProvider.System;

    public IReadOnlyList<ConsumerQueues> Consumers => consumers;

    /// <summary>Messages waiting per consumer (0 for a consumer whose queues do not exist yet).</summary>
    public async Task<IReadOnlyDictionary<string, uint>> CountsAsync(CancellationToken ct)
    {
        var counts = new Dictionary<string, uint>(StringComparer.Ordinal);
        foreach (var queues in consumers)
            counts[queues.Consumer] = await OnChannel(queues, (channel, _) => channel.MessageCountAsync(queues.DeadLetters, ct), ct).ConfigureAwait(false);
        return counts;
    }

    public async Task<IReadOnlyList<DeadLetter>> ListAsync(string? consumer, int limit, CancellationToken ct)
    {
        var letters = new List<DeadLetter>();
        foreach (var queues in Select(consumer))
            letters.AddRange((await BrowseAsync(queues, _ => false, limit - letters.Count, ct).ConfigureAwait(false)).Seen);
        return letters;
    }

    public async Task<DeadLetter?> FindAsync(string messageId, string? consumer, CancellationToken ct) =>
        (await ListAsync(consumer, int.MaxValue, ct).ConfigureAwait(false)).FirstOrDefault(l => l.MessageId == messageId);

    /// <summary>Replays one message (by id) or, with a null id, every dead letter of the selected consumers.</summary>
    public async Task<IReadOnlyList<DeadLetter>> ReplayAsync(string? messageId, string? consumer, CancellationToken ct)
    {
        var replayed = new List<DeadLetter>();
        foreach (var queues in Select(consumer))
            replayed.AddRange((await BrowseAsync(queues, l => messageId is null || l.MessageId == messageId, int.MaxValue, ct).ConfigureAwait(false)).Replayed);
        return replayed;
    }

    /// <summary>Deletes every dead letter of the selected consumers; returns how many per consumer.</summary>
    public async Task<IReadOnlyDictionary<string, uint>> PurgeAsync(string? consumer, CancellationToken ct)
    {
        var purged = new Dictionary<string, uint>(StringComparer.Ordinal);
        foreach (var queues in Select(consumer))
            purged[queues.Consumer] = await OnChannel(queues, (channel, _) => channel.QueuePurgeAsync(queues.DeadLetters, ct), ct).ConfigureAwait(false);
        return purged;
    }

    private IEnumerable<ConsumerQueues> Select(string? consumer)
    {
        if (consumer is null) return consumers;
        var selected = consumers.Where(c => c.Consumer == consumer).ToList();
        return selected.Count > 0
            ? selected
            : throw new ArgumentException($"No consumer '{consumer}'. Consumers: {string.Join(", ", consumers.Select(c => c.Consumer))}.", nameof(consumer));
    }

    /// <summary>
    /// Takes up to <paramref name="limit"/> messages off the queue unacknowledged; those <paramref name="replay"/>
    /// picks are re-published and acked, all others are handed back (requeued) at the end.
    /// </summary>
    private async Task<(IReadOnlyList<DeadLetter> Seen, IReadOnlyList<DeadLetter> Replayed)> BrowseAsync(ConsumerQueues queues, Func<DeadLetter, bool> replay, int limit, CancellationToken ct) =>
        await OnChannel(queues, async (channel, _) =>
        {
            var seen = new List<DeadLetter>();
            var replayed = new List<DeadLetter>();
            var waiting = await channel.MessageCountAsync(queues.DeadLetters, ct).ConfigureAwait(false);
            ulong lastKept = 0;
            for (var i = 0; i < waiting && seen.Count < limit; i++)
            {
                var got = await channel.BasicGetAsync(queues.DeadLetters, autoAck: false, ct).ConfigureAwait(false);
                if (got is null) break;
                var letter = Read(queues, got);
                seen.Add(letter);
                if (replay(letter))
                {
                    await RepublishAsync(channel, queues, got, ct).ConfigureAwait(false);
                    await channel.BasicAckAsync(got.DeliveryTag, multiple: false, ct).ConfigureAwait(false);
                    replayed.Add(letter);
                }
                else
                {
                    lastKept = got.DeliveryTag;
                }
            }
            if (lastKept > 0) await channel.BasicNackAsync(lastKept, multiple: true, requeue: true, ct).ConfigureAwait(false);
            return ((IReadOnlyList<DeadLetter>)seen, (IReadOnlyList<DeadLetter>)replayed);
        }, ct, whenMissing: ([], [])).ConfigureAwait(false);

    private async Task RepublishAsync(IChannel channel, ConsumerQueues queues, BasicGetResult got, CancellationToken ct)
    {
        var headers = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in got.BasicProperties.Headers ?? new Dictionary<string, object?>())
            if (!LedgerHeaders.IsBrokerDeathHeader(name) && !name.StartsWith("x-ledger-", StringComparison.Ordinal))
                headers[name] = value;
        headers[LedgerHeaders.Attempt] = 1;
        headers[LedgerHeaders.ReplayedAt] = clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        var properties = new BasicProperties(got.BasicProperties) { Headers = headers, DeliveryMode = DeliveryModes.Persistent };
        await channel.BasicPublishAsync("", queues.Main, mandatory: true, properties, got.Body.ToArray(), ct).ConfigureAwait(false);
    }

    private static DeadLetter Read(ConsumerQueues queues, BasicGetResult got)
    {
        var headers = got.BasicProperties.Headers;
        return new DeadLetter(
            queues.Consumer,
            got.BasicProperties.MessageId ?? "",
            got.BasicProperties.Type,
            LedgerHeaders.Text(headers, LedgerHeaders.ErrorType),
            LedgerHeaders.Text(headers, "x-ledger-error-code"),
            LedgerHeaders.Text(headers, LedgerHeaders.ErrorMessage),
            LedgerHeaders.Number(headers, LedgerHeaders.Attempts, 0),
            LedgerHeaders.Text(headers, LedgerHeaders.FailedAt),
            LedgerHeaders.Text(headers, LedgerHeaders.OriginalQueue) ?? queues.Main,
            Encoding.UTF8.GetString(got.Body.Span));
    }

    private async Task<T> OnChannel<T>(ConsumerQueues queues, Func<IChannel, ConsumerQueues, Task<T>> use, CancellationToken ct, T whenMissing = default!)
    {
        await using var channel = await broker.CreateChannelAsync(confirms: true, ct).ConfigureAwait(false);
        try
        {
            return await use(channel, queues).ConfigureAwait(false);
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return whenMissing; // the consumer never ran here: it has no dead-letter queue yet
        }
    }
}

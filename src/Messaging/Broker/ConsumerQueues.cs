using System.Globalization;

namespace Ledger.Messaging.Broker;

/// <summary>
/// The queues of one consumer: the one it reads (<see cref="Main"/>), a delay queue per retry delay whose expired
/// messages flow back into it, and its dead-letter queue. Delay queues are named after their delay, so a changed
/// retry setting declares new queues instead of clashing with the arguments of existing ones.
/// </summary>
public sealed record ConsumerQueues(string Consumer, string Main)
{
    public static ConsumerQueues For(string consumer, MessagingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new(consumer, settings.QueuePrefix + consumer);
    }

    public string DeadLetters => Main + ".dlq";

    public string Retry(TimeSpan delay) =>
        string.Create(CultureInfo.InvariantCulture, $"{Main}.retry.{(long)delay.TotalMilliseconds}ms");
}

namespace Ledger.Messaging;

/// <summary>
/// How Ledger talks to RabbitMQ (<c>Ledger:Messaging</c> in the Host's configuration). Tests give each class its
/// own exchange and queue prefix, so they share one broker without seeing each other's messages.
/// </summary>
public sealed class MessagingSettings
{
    public const string Section = "Ledger:Messaging";

    /// <summary>The durable topic exchange integration events are published to and consumed from.</summary>
    public string Exchange { get; set; } = "ledger.events";

    /// <summary>Prepended to every consumer's queue names: <c>ledger.payments</c>, <c>ledger.payments.dlq</c>.</summary>
    public string QueuePrefix { get; set; } = "ledger.";

    /// <summary>The envelope's <c>producer</c> of every published event.</summary>
    public string Producer { get; set; } = "ledger";

    /// <summary>The name this process gives its broker connections (shown by <c>rabbitmqctl list_connections</c>).</summary>
    public string ClientName { get; set; } = "ledger";

    /// <summary>AMQP heartbeat: how soon a silently dead broker connection is noticed.</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(10);

    public RelaySettings Relay { get; set; } = new();

    public ConsumerSettings Consumers { get; set; } = new();
}

/// <summary><c>Ledger:Messaging:Relay</c>: the outbox relay.</summary>
public sealed class RelaySettings
{
    public bool Enabled { get; set; } = true;

    /// <summary>The checkpoint row and the advisory lease are named after it.</summary>
    public string Name { get; set; } = "relay";

    /// <summary>
    /// Events read and published per round; the checkpoint moves once per batch, after all its confirms. Each batch ends
    /// with a wait for its last confirm and costs a lease check and a checkpoint write, so larger batches drain a backlog
    /// faster (figures in docs/performance.md, relay); the price is up to one batch published again after a failure,
    /// and two batches of events in memory (the one published and the one read ahead).
    /// </summary>
    public int BatchSize { get; set; } = 2000;

    /// <summary>How often the store is polled when no in-process append wakes the relay (appends of other processes).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often a process that is not the relay tries to become it (the holder may have died).</summary>
    public TimeSpan LeaseRetryInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the broker may take to confirm a batch before the batch counts as failed (and is re-sent).</summary>
    public TimeSpan ConfirmTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>First wait after a failure (broker or database down); doubles up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// <c>Ledger:Messaging:Consumers</c>: the inbound consumers (Wolverine listeners with the durable inbox), their retries,
/// dead letters and inbox retention.
/// </summary>
public sealed class ConsumerSettings
{
    public bool Enabled { get; set; } = true;

    /// <summary>Attempts at one message before it is dead-lettered (the first one included; Wolverine allows up to 25).</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Wait before the first retry; each next one waits twice as long, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Wait before re-trying a message that failed because the database was unreachable. Such a failure is not
    /// the message's fault, so it does not use up an attempt: the message waits out the outage instead of
    /// landing in the dead letters.
    /// </summary>
    public TimeSpan OutageRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Unacknowledged deliveries per consumer (RabbitMQ prefetch).</summary>
    public ushort Prefetch { get; set; } = 16;

    /// <summary>
    /// How long a handled message's id stays in the inbox (Wolverine's <c>KeepAfterMessageHandling</c>): a copy of it
    /// arriving within this window is discarded as a duplicate; after it, the row is purged. Size it against the
    /// longest a producer may redeliver (the gateway's retries, a republished backlog).
    /// </summary>
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often handled rows older than <see cref="InboxRetention"/> are deleted (Wolverine's <c>HandledMessageCleanupPollingTime</c>).</summary>
    public TimeSpan InboxPurgeInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the dead-letter storage is counted per consumer (metrics, health).</summary>
    public TimeSpan DeadLetterProbeInterval { get; set; } = TimeSpan.FromSeconds(15);
}

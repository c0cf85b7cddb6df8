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

    /// <summary>
    /// How often a Host that started while the broker did not answer tries it again; once it answers, Wolverine's
    /// RabbitMQ transport and the inbound listeners start, and the outbox publishes what waited in the store.
    /// </summary>
    public TimeSpan BrokerRetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    public OutboxSettings Outbox { get; set; } = new();

    public ConsumerSettings Consumers { get; set; } = new();
}

/// <summary><c>Ledger:Messaging:Outbox</c>: publishing the store's integration events through Wolverine's outbox.</summary>
public sealed class OutboxSettings
{
    /// <summary>
    /// Events per page of the publishing shard: a page's messages are in flight together, and one Marten transaction
    /// moves the shard past the page once the broker confirmed all of them. Larger pages are not faster: the publishing
    /// process's CPU per message grows with the number of unconfirmed publishes (RabbitMQ.Client 7.2 copies all of a
    /// channel's on every multiple ack); bench scenario 6 measured 55–57 µs per message with pages of 500, 61 with 1,000,
    /// 79–87 with 2,000 (0.59× of raw confirms). After a failure the whole page is published again.
    /// </summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>How often a Host measures the outbox backlog (metrics, health): the shard's lag behind the store.</summary>
    public TimeSpan MonitorInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often each host tells Wolverine it is alive (its node health check, <c>Durability.HealthCheckPollingTime</c>),
    /// and after how long without one a host counts as dead (<c>StaleNodeTimeout</c>): Wolverine's leader then ejects its
    /// node, moves its agents (the leader, the durability agent) to the living hosts, and the messages it had received
    /// but not handled are handled by a living host. Wolverine's own defaults (10 s, 1 min) leave them waiting a minute
    /// or two. (Under <c>Outbox</c> for history: the outbox itself stores no envelopes; its publishing shard moves with
    /// Marten's HotCold locks, within seconds.)
    /// </summary>
    public TimeSpan HostHeartbeat { get; set; } = TimeSpan.FromSeconds(5);

    /// <inheritdoc cref="HostHeartbeat"/>
    public TimeSpan DeadHostTimeout { get; set; } = TimeSpan.FromSeconds(20);
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

using Ledger.EventStore;
using Ledger.Messaging.Outbox;
using Ledger.TestSupport;

namespace Ledger.Messaging.Tests.Infrastructure;

public static class Waits
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120); // generous: CI runs every test project at once on 2 cores

    public static Task<IReadOnlyList<ReceivedMessage>> ForMessages(TestQueue queue, int count, TimeSpan? timeout = null) =>
        Eventually.Until(() => Task.FromResult(queue.Received), r => r.Count >= count, timeout ?? Timeout, $"{count} messages on {queue.Name}");

    public static Task<IReadOnlyList<ReceivedMessage>> ForDistinct(TestQueue queue, IReadOnlyCollection<Guid> ids, TimeSpan? timeout = null) =>
        Eventually.Until(() => Task.FromResult(queue.Received),
            r => r.Select(m => m.MessageId).ToHashSet().IsSupersetOf(ids.Select(i => (string?)i.ToString("D"))),
            timeout ?? Timeout, $"{ids.Count} distinct messages on {queue.Name}");

    /// <summary>Until the outbox shard has passed <paramref name="position"/> (its page, and the envelopes, committed).</summary>
    public static Task ForShard(MessagingHarness harness, GlobalPosition position) =>
        Eventually.Until(async () => (await OutboxInspection.ReadAsync(harness.Db.AppDataSource, default)).Position,
            p => p >= position.Seq, Timeout, $"the outbox shard at {position}");

    /// <summary>Until the shard has passed every stored event: each one published and confirmed by the broker.</summary>
    public static Task ForOutboxEmpty(MessagingHarness harness) =>
        Eventually.Until(async () => (await OutboxInspection.ReadAsync(harness.Db.AppDataSource, default)).Lag,
            n => n == 0, Timeout, "the outbox caught up");
}

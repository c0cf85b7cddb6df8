using Ledger.EventStore;
using Ledger.Messaging.Relay;
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

    /// <summary>
    /// Until the store's global read reaches <paramref name="position"/>. A read only returns transactions older than every
    /// running one on the server, and other tests' transactions can hold that back for a while; a test that counts on
    /// the relay's batch boundaries waits for this before starting the relay, so every batch it reads is full.
    /// </summary>
    public static Task ForReadable(MessagingHarness harness, GlobalPosition position) =>
        Eventually.Until(async () => (await harness.Db.Store.ReadAllAsync(GlobalPosition.Start, 10_000)).LastOrDefault()?.Position ?? GlobalPosition.Start,
            p => p >= position, Timeout, $"the store readable up to {position}");

    /// <summary>Until the relay's checkpoint is at or past <paramref name="position"/>.</summary>
    public static Task ForCheckpoint(MessagingHarness harness, GlobalPosition position, string relay = "relay") =>
        Eventually.Until(async () => (await new RelayCheckpoints(harness.Db.AppDataSource).FindAsync(relay, default))?.Position ?? GlobalPosition.Start,
            p => p >= position, Timeout, $"relay checkpoint at {position}");
}
